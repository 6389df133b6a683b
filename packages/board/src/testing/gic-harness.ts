/**
 * Test support: a GICv3 wired to FakeCpus, with helpers that access its registers the way a
 * guest does (MMIO for GICD/GICR, MRS/MSR for ICC_*).
 */
import { PhysMem, SysReg, type SysRegId } from '@hvlab/core';
import { FakeCpu } from '@hvlab/core/testing';
import { iccHandlers } from '../gic/cpu-interface.js';
import { GicDistributor } from '../gic/distributor.js';
import { GicV3 } from '../gic/gicv3.js';
import { GicRedistributors } from '../gic/redistributor.js';
import { GICR_SGI_BASE_OFFSET, virtMpidr } from '../layout.js';

export function gicHarness(nCpus = 2, opts: { resetToGroup1?: boolean; numSpis?: number } = {}) {
  const mem = new PhysMem();
  const cpus = Array.from({ length: nCpus }, (_, i) => new FakeCpu({ index: i, mem, mpidr: virtMpidr(i) }));
  const gic = new GicV3({ cpus, ...opts });
  const invalid: { kind: string; offset: number; size: number }[] = [];
  const dist = new GicDistributor(gic, (a) => invalid.push(a));
  const redist = new GicRedistributors(gic, (a) => invalid.push(a));
  const icc = iccHandlers(gic);
  const frame = (cpu: number) => cpu * 0x2_0000;
  const h = {
    gic,
    cpus,
    dist,
    redist,
    icc,
    invalid,
    /** GICD read/write. */
    rd: (off: number, size: 1 | 2 | 4 | 8 = 4) => dist.read(off, size),
    wd: (off: number, v: number | bigint, size: 1 | 2 | 4 | 8 = 4) => dist.write(off, size, BigInt(v)),
    /** GICR RD_base read/write for a CPU. */
    rr: (cpu: number, off: number, size: 1 | 2 | 4 | 8 = 4) => redist.read(frame(cpu) + off, size),
    wr: (cpu: number, off: number, v: number | bigint, size: 1 | 2 | 4 | 8 = 4) =>
      redist.write(frame(cpu) + off, size, BigInt(v)),
    /** GICR SGI_base read/write for a CPU. */
    rs: (cpu: number, off: number, size: 1 | 2 | 4 | 8 = 4) =>
      redist.read(frame(cpu) + GICR_SGI_BASE_OFFSET + off, size),
    ws: (cpu: number, off: number, v: number | bigint, size: 1 | 2 | 4 | 8 = 4) =>
      redist.write(frame(cpu) + GICR_SGI_BASE_OFFSET + off, size, BigInt(v)),
    /** MRS / MSR of an ICC register on a CPU. */
    mrs: (cpu: number, reg: SysRegId) => icc.get(reg)!.read(cpus[cpu]!),
    msr: (cpu: number, reg: SysRegId, v: number | bigint) => icc.get(reg)!.write(cpus[cpu]!, BigInt(v)),
    /** What a Linux-like driver does: enable both groups, unmask everything, Group 1 everywhere. */
    enableAll() {
      h.wd(0x0000, 3); // GICD_CTLR EnableGrp0 | EnableGrp1
      for (let c = 0; c < nCpus; c++) {
        h.msr(c, SysReg.ICC_PMR_EL1, 0xff);
        h.msr(c, SysReg.ICC_IGRPEN0_EL1, 1);
        h.msr(c, SysReg.ICC_IGRPEN1_EL1, 1);
        h.ws(c, 0x0080, 0xffff_ffff); // GICR_IGROUPR0: Group 1
      }
      for (let w = 1; w < gic.numIntids / 32; w++) h.wd(0x0080 + 4 * w, 0xffff_ffff); // GICD_IGROUPR
    },
  };
  return h;
}
