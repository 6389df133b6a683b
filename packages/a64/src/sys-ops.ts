/**
 * Names of the system instructions that are aliases of SYS (Arm ARM DDI 0487 C5.3 "A64 System
 * instructions for cache maintenance, address translation, TLB maintenance, ..."): DC, IC, AT,
 * TLBI (including the FEAT_RME physical-address forms) and the prediction-restriction
 * instructions CFP/DVP/CPP (FEAT_SPECRES).
 *
 * Key: op1:CRn:CRm:op2 packed as (op1 << 11) | (crn << 7) | (crm << 3) | op2 — the low 14 bits of
 * core's SysRegId with op0 = 01.
 */

export interface SysOp {
  /** Alias mnemonic: 'dc', 'ic', 'at', 'tlbi', 'cfp', 'dvp', 'cpp'. */
  readonly alias: string;
  /** Operation name, Arm spelling (upper case). */
  readonly op: string;
  /** True if the operation takes Xt (otherwise Rt must be 31 for the alias to apply). */
  readonly hasRt: boolean;
}

export const sysOpKey = (op1: number, crn: number, crm: number, op2: number): number =>
  (op1 << 11) | (crn << 7) | (crm << 3) | op2;

const OPS = new Map<number, SysOp>();
function add(alias: string, op1: number, crn: number, crm: number, op2: number, op: string, hasRt = true): void {
  OPS.set(sysOpKey(op1, crn, crm, op2), { alias, op, hasRt });
}

// DC (Arm ARM C5.3, CRn = 7).
add('dc', 0, 7, 6, 1, 'IVAC');
add('dc', 0, 7, 6, 2, 'ISW');
add('dc', 0, 7, 6, 3, 'IGVAC');
add('dc', 0, 7, 6, 4, 'IGSW');
add('dc', 0, 7, 6, 5, 'IGDVAC');
add('dc', 0, 7, 6, 6, 'IGDSW');
add('dc', 0, 7, 10, 2, 'CSW');
add('dc', 0, 7, 10, 4, 'CGSW');
add('dc', 0, 7, 10, 6, 'CGDSW');
add('dc', 0, 7, 14, 2, 'CISW');
add('dc', 0, 7, 14, 4, 'CIGSW');
add('dc', 0, 7, 14, 6, 'CIGDSW');
add('dc', 3, 7, 4, 1, 'ZVA');
add('dc', 3, 7, 4, 3, 'GVA');
add('dc', 3, 7, 4, 4, 'GZVA');
add('dc', 3, 7, 10, 1, 'CVAC');
add('dc', 3, 7, 10, 3, 'CGVAC');
add('dc', 3, 7, 10, 5, 'CGDVAC');
add('dc', 3, 7, 11, 1, 'CVAU');
add('dc', 3, 7, 12, 1, 'CVAP');
add('dc', 3, 7, 12, 3, 'CGVAP');
add('dc', 3, 7, 12, 5, 'CGDVAP');
add('dc', 3, 7, 13, 1, 'CVADP');
add('dc', 3, 7, 13, 3, 'CGVADP');
add('dc', 3, 7, 13, 5, 'CGDVADP');
add('dc', 3, 7, 14, 1, 'CIVAC');
add('dc', 3, 7, 14, 3, 'CIGVAC');
add('dc', 3, 7, 14, 5, 'CIGDVAC');
// IC.
add('ic', 0, 7, 1, 0, 'IALLUIS', false);
add('ic', 0, 7, 5, 0, 'IALLU', false);
add('ic', 3, 7, 5, 1, 'IVAU');
// AT.
add('at', 0, 7, 8, 0, 'S1E1R');
add('at', 0, 7, 8, 1, 'S1E1W');
add('at', 0, 7, 8, 2, 'S1E0R');
add('at', 0, 7, 8, 3, 'S1E0W');
add('at', 0, 7, 9, 0, 'S1E1RP');
add('at', 0, 7, 9, 1, 'S1E1WP');
add('at', 4, 7, 8, 0, 'S1E2R');
add('at', 4, 7, 8, 1, 'S1E2W');
add('at', 4, 7, 8, 4, 'S12E1R');
add('at', 4, 7, 8, 5, 'S12E1W');
add('at', 4, 7, 8, 6, 'S12E0R');
add('at', 4, 7, 8, 7, 'S12E0W');
add('at', 6, 7, 8, 0, 'S1E3R');
add('at', 6, 7, 8, 1, 'S1E3W');
// Prediction restriction (FEAT_SPECRES): op1 = 3, CRn = 7, CRm = 3.
add('cfp', 3, 7, 3, 4, 'RCTX');
add('dvp', 3, 7, 3, 5, 'RCTX');
add('cpp', 3, 7, 3, 7, 'RCTX');

// TLBI (CRn = 8). EL1 operations: op1 = 0; the CRm selects the shareability domain:
// 3 = Inner Shareable, 7 = none, 1 = Outer Shareable (FEAT_TLBIOS); 2/6/5 are the range forms.
const EL1_OPS: readonly (readonly [number, string, boolean])[] = [
  [0, 'VMALLE1', false],
  [1, 'VAE1', true],
  [2, 'ASIDE1', true],
  [3, 'VAAE1', true],
  [5, 'VALE1', true],
  [7, 'VAALE1', true],
];
for (const [crm, suffix] of [
  [3, 'IS'],
  [7, ''],
  [1, 'OS'],
] as const) {
  for (const [op2, name, rt] of EL1_OPS) add('tlbi', 0, 8, crm, op2, name + suffix, rt);
}
for (const [crm, suffix] of [
  [2, 'IS'],
  [6, ''],
  [5, 'OS'],
] as const) {
  for (const [op2, name] of [
    [1, 'RVAE1'],
    [3, 'RVAAE1'],
    [5, 'RVALE1'],
    [7, 'RVAALE1'],
  ] as const)
    add('tlbi', 0, 8, crm, op2, name + suffix);
}
// EL2 (op1 = 4) and EL3 (op1 = 6).
for (const [crm, suffix] of [
  [3, 'IS'],
  [7, ''],
  [1, 'OS'],
] as const) {
  add('tlbi', 4, 8, crm, 0, `ALLE2${suffix}`, false);
  add('tlbi', 4, 8, crm, 1, `VAE2${suffix}`);
  add('tlbi', 4, 8, crm, 4, `ALLE1${suffix}`, false);
  add('tlbi', 4, 8, crm, 5, `VALE2${suffix}`);
  add('tlbi', 4, 8, crm, 6, `VMALLS12E1${suffix}`, false);
  add('tlbi', 6, 8, crm, 0, `ALLE3${suffix}`, false);
  add('tlbi', 6, 8, crm, 1, `VAE3${suffix}`);
  add('tlbi', 6, 8, crm, 5, `VALE3${suffix}`);
}
for (const [crm, suffix] of [
  [2, 'IS'],
  [6, ''],
  [5, 'OS'],
] as const) {
  add('tlbi', 4, 8, crm, 1, `RVAE2${suffix}`);
  add('tlbi', 4, 8, crm, 5, `RVALE2${suffix}`);
  add('tlbi', 6, 8, crm, 1, `RVAE3${suffix}`);
  add('tlbi', 6, 8, crm, 5, `RVALE3${suffix}`);
}
// Stage-2 by IPA (op1 = 4, CRm = 0 for IS, 4 for non-shared and OS).
add('tlbi', 4, 8, 0, 1, 'IPAS2E1IS');
add('tlbi', 4, 8, 0, 5, 'IPAS2LE1IS');
add('tlbi', 4, 8, 0, 2, 'RIPAS2E1IS');
add('tlbi', 4, 8, 0, 6, 'RIPAS2LE1IS');
add('tlbi', 4, 8, 4, 1, 'IPAS2E1');
add('tlbi', 4, 8, 4, 5, 'IPAS2LE1');
add('tlbi', 4, 8, 4, 0, 'IPAS2E1OS');
add('tlbi', 4, 8, 4, 4, 'IPAS2LE1OS');
add('tlbi', 4, 8, 4, 2, 'RIPAS2E1');
add('tlbi', 4, 8, 4, 6, 'RIPAS2LE1');
add('tlbi', 4, 8, 4, 3, 'RIPAS2E1OS');
add('tlbi', 4, 8, 4, 7, 'RIPAS2LE1OS');

// FEAT_RME (Arm ARM C5.3 and the RME supplement DDI 0615): EL3 physical-address operations.
add('dc', 6, 7, 14, 1, 'CIPAPA');
add('dc', 6, 7, 14, 5, 'CIGDPAPA');
add('tlbi', 6, 8, 1, 4, 'PAALLOS', false);
add('tlbi', 6, 8, 7, 4, 'PAALL', false);
add('tlbi', 6, 8, 4, 3, 'RPAOS');
add('tlbi', 6, 8, 4, 7, 'RPALOS');

/** The alias of a SYS instruction, or undefined if it has none. */
export const sysOp = (op1: number, crn: number, crm: number, op2: number): SysOp | undefined =>
  OPS.get(sysOpKey(op1, crn, crm, op2));

/** All SYS aliases (for tests and tools). */
export const SYS_OPS: ReadonlyMap<number, SysOp> = OPS;
