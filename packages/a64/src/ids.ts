/**
 * Every instruction identifier the A64 decode table can produce (InsnId). Never renamed: the
 * backends map these strings to emitters.
 *
 * Naming: the Arm ARM (DDI 0487) mnemonic of the *encoding* plus a form suffix:
 *   _imm / _shift / _ext / _reg   immediate, shifted register, extended register, register forms
 *   _uimm                          load/store "unsigned offset" (scaled imm12)
 *   _pre / _post                   load/store pre-index / post-index (imm9, or imm7 for pairs)
 *   _off                           load/store pair "signed offset" (imm7)
 *   _lit                           PC-relative literal load (imm19)
 *   _fp                            the SIMD&FP register form (V = 1) of a load/store
 *
 * Operand size is a field, never part of the id:
 *   - `sf` (bit 31) selects W/X for data processing.
 *   - GPR loads/stores carry `size` (bits 31:30) and `opc` (bits 23:22). STR_* / LDR_* cover the
 *     B, H, W and X forms (size 00 = STRB/LDRB, 01 = STRH/LDRH, 10 = W, 11 = X). LDRS_* (and
 *     LDURS, LDTRS, LDAPURS) are the sign-extending loads: size 00 = LDRSB, 01 = LDRSH,
 *     10 = LDRSW; opc 10 = 64-bit Xt, opc 11 = 32-bit Wt.
 *   - SIMD&FP loads/stores carry `size` and `opc`; the register width is
 *     8 << (opc<1>:size) bits (B, H, S, D, Q).
 *   - Exclusives and acquire/release (STXR, LDAR, ...) carry `size` (B/H/W/X); their pair forms
 *     and CASP carry `sz` (bit 30: 0 = W, 1 = X).
 *   - LSE atomics carry `size`, and `a`/`r` (acquire/release, bits 23/22); CAS/CASP carry Arm's
 *     `l` (bit 22, acquire) and `o0` (bit 15, release).
 *
 * Field names (FieldSpec in types.ts; positions are given per entry in table/*.ts):
 *   rd rn rm ra rt rt2 rs      register numbers (31 = SP or ZR as the encoding says)
 *   sf                          bit 31, 1 = 64-bit
 *   sh                          ADD/SUB imm: bit 22, imm12 shifted left by 12
 *   imm12                       bits 21:10 (add/sub imm, load/store unsigned offset, unscaled)
 *   shift imm6                  shifted register: shift type (23:22), amount (15:10)
 *   option imm3                 extended register: extend type (15:13), left shift (12:10)
 *   n immr imms                 logical immediate / bitfield (22, 21:16, 15:10); EXTR lsb = imms
 *   hw imm16                    move wide: shift/16 (22:21), immediate (20:5); also exception imm16
 *   immlo immhi                 ADR/ADRP raw halves (30:29, 23:5)
 *   offset                      byte offset, sign-extended and scaled: B/BL (imm26*4), B.cond,
 *                               CBZ/CBNZ, LDR literal (imm19*4), TBZ/TBNZ (imm14*4),
 *                               ADR (immhi:immlo), ADRP (immhi:immlo*4096), LDRAA/LDRAB (imm10*8)
 *   imm26 imm19 imm14           raw branch offsets in words (sign-extended, not scaled)
 *   b5b40                       TBZ/TBNZ bit number b5:b40 (bit 31, bits 23:19)
 *   cond                        condition code (B.cond 3:0; CSEL/CCMP 15:12)
 *   nzcv imm5                   CCMP/CCMN flags (3:0) and immediate (20:16)
 *   size opc                    load/store size (31:30) and opc (23:22)
 *   imm9                        load/store 9-bit signed immediate (20:12), unscaled
 *   imm7                        load/store pair 7-bit signed immediate (21:15), in units of the size
 *   S                           load/store register offset: shift by the access size (bit 12)
 *   imm10 w                     LDRAA/LDRAB: S:imm9 (signed, in doublewords) and writeback (bit 11)
 *   a r l o0 sz                 atomics / exclusives, see above
 *   op0 op1 crn crm op2         system instruction fields (20:19, 18:16, 15:12, 11:8, 7:5)
 *   sysreg                      bits 20:5 = core's SysRegId (op0:op1:CRn:CRm:op2) for MRS/MSR/SYS
 *   hint                        HINT number CRm:op2 (bits 11:5)
 *   mask                        RMIF mask (3:0); imm6 is its rotate amount
 *   q u                         SIMD: Q (bit 30, 128-bit vector) and U (bit 29)
 *   opcode                      SIMD/FP class opcode field (position per class, table/simd-fp.ts)
 *   a o op op0 op2 opcode2 o1 o0 o2   other per-class opcode bits, named as in the Arm ARM
 *   ftype rmode scale           FP type (23:22), rounding mode (20:19), fixed-point scale (15:10)
 *   imm8 imm4 imm5 imm2 imm6    FP/SIMD immediates per class; SIMD_MODIMM also has abc, cmode
 *                               and defgh (imm8 = abc:defgh)
 *   immh immb                   SIMD shift by immediate (22:19, 18:16)
 *   l m h                       SIMD indexed element: L (21), M (20), H (11); there `rm` is bits
 *                               19:16 and M extends it to 5 bits for S/D elements
 *   len                         SIMD TBL/TBX table length (14:13)
 *   r S                         SIMD load/store single structure: R (21), S (12)
 *
 * The `feature` of an entry (types.ts) says which architecture feature must be present for the
 * encoding to be allocated; the backend raises UNDEF itself when it does not implement it.
 */

/** All InsnIds, grouped as the Arm ARM C4.1 "A64 instruction set encoding" groups them. */
export const INSN_IDS = [
  // ── C4.1.86 Data Processing -- Immediate ────────────────────────────────────────────────
  'ADR', // PC-rel: immlo immhi offset rd
  'ADRP', // PC-rel: immlo immhi offset(×4096) rd
  'ADD_imm', // add/sub imm: sf sh imm12 rn rd
  'ADDS_imm', // add/sub imm: sf sh imm12 rn rd
  'SUB_imm', // add/sub imm: sf sh imm12 rn rd
  'SUBS_imm', // add/sub imm: sf sh imm12 rn rd
  'AND_imm', // logical imm: sf n immr imms rn rd
  'ORR_imm', // logical imm: sf n immr imms rn rd
  'EOR_imm', // logical imm: sf n immr imms rn rd
  'ANDS_imm', // logical imm: sf n immr imms rn rd
  'MOVN', // move wide: sf hw imm16 rd
  'MOVZ', // move wide: sf hw imm16 rd
  'MOVK', // move wide: sf hw imm16 rd
  'SBFM', // bitfield: sf n immr imms rn rd
  'BFM', // bitfield: sf n immr imms rn rd
  'UBFM', // bitfield: sf n immr imms rn rd
  'EXTR', // extract: sf n rm imms rn rd

  // ── C4.1.87 Branches, Exception Generating and System instructions ──────────────────────
  'B_cond', // conditional branch imm: imm19 offset cond
  'SVC', // exception generation: imm16
  'HVC', // exception generation: imm16
  'SMC', // exception generation: imm16
  'BRK', // exception generation: imm16
  'HLT', // exception generation: imm16
  'DCPS1', // exception generation: imm16
  'DCPS2', // exception generation: imm16
  'DCPS3', // exception generation: imm16
  'HINT', // hints (NOP YIELD WFE WFI SEV SEVL, PAC*SP, BTI, ESB, CSDB, ...): crm op2 hint
  'CLREX', // barriers: crm
  'DSB', // barriers: crm (CRm 0000 is SSBB, 0100 is PSSBB)
  'DMB', // barriers: crm
  'ISB', // barriers: crm
  'SB', // barriers (FEAT_SB): no fields
  'SSBB', // barriers (DSB CRm=0000): no fields
  'PSSBB', // barriers (DSB CRm=0100): no fields
  'MSR_imm', // PSTATE: op1 crm op2 (SPSel DAIFSet DAIFClr UAO PAN DIT SSBS ...)
  'CFINV', // PSTATE (FEAT_FlagM): no fields
  'XAFLAG', // PSTATE (FEAT_FlagM2): no fields
  'AXFLAG', // PSTATE (FEAT_FlagM2): no fields
  'SYS', // system instructions (DC IC TLBI AT aliases): op0 op1 crn crm op2 rt sysreg
  'SYSL', // system instructions: op0 op1 crn crm op2 rt sysreg
  'MSR_reg', // system register move: op0 op1 crn crm op2 rt sysreg
  'MRS', // system register move: op0 op1 crn crm op2 rt sysreg
  'BR', // unconditional branch (register): rn
  'BLR', // unconditional branch (register): rn
  'RET', // unconditional branch (register): rn
  'ERET', // unconditional branch (register): no fields
  'DRPS', // unconditional branch (register): no fields (UNDEFINED outside Debug state)
  'BRAAZ', // unconditional branch (register), FEAT_PAuth: rn
  'BRABZ', // unconditional branch (register), FEAT_PAuth: rn
  'BLRAAZ', // unconditional branch (register), FEAT_PAuth: rn
  'BLRABZ', // unconditional branch (register), FEAT_PAuth: rn
  'RETAA', // unconditional branch (register), FEAT_PAuth: no fields
  'RETAB', // unconditional branch (register), FEAT_PAuth: no fields
  'ERETAA', // unconditional branch (register), FEAT_PAuth: no fields
  'ERETAB', // unconditional branch (register), FEAT_PAuth: no fields
  'BRAA', // unconditional branch (register), FEAT_PAuth: rn rm
  'BRAB', // unconditional branch (register), FEAT_PAuth: rn rm
  'BLRAA', // unconditional branch (register), FEAT_PAuth: rn rm
  'BLRAB', // unconditional branch (register), FEAT_PAuth: rn rm
  'B', // unconditional branch (immediate): imm26 offset
  'BL', // unconditional branch (immediate): imm26 offset
  'CBZ', // compare and branch: sf imm19 offset rt
  'CBNZ', // compare and branch: sf imm19 offset rt
  'TBZ', // test and branch: b5b40 imm14 offset rt
  'TBNZ', // test and branch: b5b40 imm14 offset rt

  // ── C4.1.88 Loads and Stores ────────────────────────────────────────────────────────────
  // Advanced SIMD load/store multiple / single structure (feature simd)
  'SIMD_LDST_mult', // q l opcode size rn rt   (LD1-LD4 / ST1-ST4 multiple structures)
  'SIMD_LDST_mult_post', // q l rm opcode size rn rt
  'SIMD_LDST_single', // q l r opcode S size rn rt   (LD1-LD4 / ST1-ST4 single, LD1R-LD4R)
  'SIMD_LDST_single_post', // q l r rm opcode S size rn rt
  // Load/store exclusive register / pair, ordered (size or sz as described above)
  'STXR', // size rs rn rt
  'STLXR', // size rs rn rt
  'LDXR', // size rn rt
  'LDAXR', // size rn rt
  'STXP', // sz rs rt2 rn rt
  'STLXP', // sz rs rt2 rn rt
  'LDXP', // sz rt2 rn rt
  'LDAXP', // sz rt2 rn rt
  'STLLR', // FEAT_LOR: size rn rt
  'STLR', // size rn rt
  'LDLAR', // FEAT_LOR: size rn rt
  'LDAR', // size rn rt
  // Compare and swap (FEAT_LSE)
  'CAS', // size l o0 rs rn rt   (CAS CASA CASL CASAL, B/H forms by size)
  'CASP', // sz l o0 rs rn rt    (Rs and Rt even)
  // LDAPR/STLR (unscaled immediate), FEAT_LRCPC2
  'STLUR', // size opc imm9 rn rt
  'LDAPUR', // size opc imm9 rn rt
  'LDAPURS', // size opc imm9 rn rt (sign-extending, as LDRS_*)
  // Load register (literal)
  'LDR_lit', // opc(00 W, 01 X) imm19 offset rt
  'LDRSW_lit', // imm19 offset rt
  'PRFM_lit', // imm19 offset rt (rt = prefetch operation)
  'LDR_fp_lit', // FP: opc(00 S, 01 D, 10 Q) imm19 offset rt
  // Load/store pair (opc 00 = W, 10 = X; FP: opc 00 S, 01 D, 10 Q)
  'STNP', // opc imm7 rt2 rn rt
  'LDNP', // opc imm7 rt2 rn rt
  'STP_post', // opc imm7 rt2 rn rt
  'LDP_post', // opc imm7 rt2 rn rt
  'LDPSW_post', // opc imm7 rt2 rn rt
  'STP_off', // opc imm7 rt2 rn rt
  'LDP_off', // opc imm7 rt2 rn rt
  'LDPSW_off', // opc imm7 rt2 rn rt
  'STP_pre', // opc imm7 rt2 rn rt
  'LDP_pre', // opc imm7 rt2 rn rt
  'LDPSW_pre', // opc imm7 rt2 rn rt
  'STNP_fp', // opc imm7 rt2 rn rt
  'LDNP_fp', // opc imm7 rt2 rn rt
  'STP_fp_post', // opc imm7 rt2 rn rt
  'LDP_fp_post', // opc imm7 rt2 rn rt
  'STP_fp_off', // opc imm7 rt2 rn rt
  'LDP_fp_off', // opc imm7 rt2 rn rt
  'STP_fp_pre', // opc imm7 rt2 rn rt
  'LDP_fp_pre', // opc imm7 rt2 rn rt
  // Load/store register (unscaled immediate)
  'STUR', // size opc imm9 rn rt
  'LDUR', // size opc imm9 rn rt
  'LDURS', // size opc imm9 rn rt
  'PRFUM', // imm9 rn rt
  'STUR_fp', // size opc imm9 rn rt
  'LDUR_fp', // size opc imm9 rn rt
  // Load/store register (immediate post-indexed / pre-indexed)
  'STR_post', // size opc imm9 rn rt
  'LDR_post', // size opc imm9 rn rt
  'LDRS_post', // size opc imm9 rn rt
  'STR_fp_post', // size opc imm9 rn rt
  'LDR_fp_post', // size opc imm9 rn rt
  'STR_pre', // size opc imm9 rn rt
  'LDR_pre', // size opc imm9 rn rt
  'LDRS_pre', // size opc imm9 rn rt
  'STR_fp_pre', // size opc imm9 rn rt
  'LDR_fp_pre', // size opc imm9 rn rt
  // Load/store register (unprivileged)
  'STTR', // size opc imm9 rn rt
  'LDTR', // size opc imm9 rn rt
  'LDTRS', // size opc imm9 rn rt
  // Atomic memory operations (FEAT_LSE; LDAPR is FEAT_LRCPC)
  'LDADD', // size a r rs rn rt
  'LDCLR', // size a r rs rn rt
  'LDEOR', // size a r rs rn rt
  'LDSET', // size a r rs rn rt
  'LDSMAX', // size a r rs rn rt
  'LDSMIN', // size a r rs rn rt
  'LDUMAX', // size a r rs rn rt
  'LDUMIN', // size a r rs rn rt
  'SWP', // size a r rs rn rt
  'LDAPR', // size rn rt
  // Load/store register (register offset)
  'STR_reg', // size opc rm option S rn rt
  'LDR_reg', // size opc rm option S rn rt
  'LDRS_reg', // size opc rm option S rn rt
  'PRFM_reg', // rm option S rn rt
  'STR_fp_reg', // size opc rm option S rn rt
  'LDR_fp_reg', // size opc rm option S rn rt
  // Load/store register (pac), FEAT_PAuth
  'LDRAA', // imm10 offset w rn rt
  'LDRAB', // imm10 offset w rn rt
  // Load/store register (unsigned immediate)
  'STR_uimm', // size opc imm12 rn rt
  'LDR_uimm', // size opc imm12 rn rt
  'LDRS_uimm', // size opc imm12 rn rt
  'PRFM_uimm', // imm12 rn rt
  'STR_fp_uimm', // size opc imm12 rn rt
  'LDR_fp_uimm', // size opc imm12 rn rt

  // ── C4.1.89 Data Processing -- Register ─────────────────────────────────────────────────
  // Data-processing (2 source)
  'UDIV', // sf rm rn rd
  'SDIV', // sf rm rn rd
  'LSLV', // sf rm rn rd
  'LSRV', // sf rm rn rd
  'ASRV', // sf rm rn rd
  'RORV', // sf rm rn rd
  'PACGA', // FEAT_PAuth: rm rn rd
  'CRC32', // FEAT_CRC32: sf sz rm rn rd   (CRC32B/H/W/X by sz)
  'CRC32C', // FEAT_CRC32: sf sz rm rn rd  (CRC32CB/H/W/X by sz)
  // Data-processing (1 source)
  'RBIT', // sf rn rd
  'REV16', // sf rn rd
  'REV32', // rn rd (sf = 1 only)
  'REV', // sf rn rd (REV Wd: sf=0 opc=10; REV Xd: sf=1 opc=11)
  'CLZ', // sf rn rd
  'CLS', // sf rn rd
  'PACIA', // FEAT_PAuth: rn rd
  'PACIB', // FEAT_PAuth: rn rd
  'PACDA', // FEAT_PAuth: rn rd
  'PACDB', // FEAT_PAuth: rn rd
  'AUTIA', // FEAT_PAuth: rn rd
  'AUTIB', // FEAT_PAuth: rn rd
  'AUTDA', // FEAT_PAuth: rn rd
  'AUTDB', // FEAT_PAuth: rn rd
  'PACIZA', // FEAT_PAuth: rd
  'PACIZB', // FEAT_PAuth: rd
  'PACDZA', // FEAT_PAuth: rd
  'PACDZB', // FEAT_PAuth: rd
  'AUTIZA', // FEAT_PAuth: rd
  'AUTIZB', // FEAT_PAuth: rd
  'AUTDZA', // FEAT_PAuth: rd
  'AUTDZB', // FEAT_PAuth: rd
  'XPACI', // FEAT_PAuth: rd
  'XPACD', // FEAT_PAuth: rd
  // Logical (shifted register)
  'AND_shift', // sf shift rm imm6 rn rd
  'BIC_shift', // sf shift rm imm6 rn rd
  'ORR_shift', // sf shift rm imm6 rn rd
  'ORN_shift', // sf shift rm imm6 rn rd
  'EOR_shift', // sf shift rm imm6 rn rd
  'EON_shift', // sf shift rm imm6 rn rd
  'ANDS_shift', // sf shift rm imm6 rn rd
  'BICS_shift', // sf shift rm imm6 rn rd
  // Add/subtract (shifted register)
  'ADD_shift', // sf shift rm imm6 rn rd
  'ADDS_shift', // sf shift rm imm6 rn rd
  'SUB_shift', // sf shift rm imm6 rn rd
  'SUBS_shift', // sf shift rm imm6 rn rd
  // Add/subtract (extended register)
  'ADD_ext', // sf rm option imm3 rn rd
  'ADDS_ext', // sf rm option imm3 rn rd
  'SUB_ext', // sf rm option imm3 rn rd
  'SUBS_ext', // sf rm option imm3 rn rd
  // Add/subtract (with carry)
  'ADC', // sf rm rn rd
  'ADCS', // sf rm rn rd
  'SBC', // sf rm rn rd
  'SBCS', // sf rm rn rd
  // Rotate right into flags / evaluate into flags (FEAT_FlagM)
  'RMIF', // imm6 rn mask
  'SETF8', // rn
  'SETF16', // rn
  // Conditional compare (register / immediate)
  'CCMN_reg', // sf rm cond rn nzcv
  'CCMP_reg', // sf rm cond rn nzcv
  'CCMN_imm', // sf imm5 cond rn nzcv
  'CCMP_imm', // sf imm5 cond rn nzcv
  // Conditional select
  'CSEL', // sf rm cond rn rd
  'CSINC', // sf rm cond rn rd
  'CSINV', // sf rm cond rn rd
  'CSNEG', // sf rm cond rn rd
  // Data-processing (3 source)
  'MADD', // sf rm ra rn rd
  'MSUB', // sf rm ra rn rd
  'SMADDL', // rm ra rn rd
  'SMSUBL', // rm ra rn rd
  'SMULH', // rm rn rd
  'UMADDL', // rm ra rn rd
  'UMSUBL', // rm ra rn rd
  'UMULH', // rm rn rd

  // ── C4.1.90 Data Processing -- Scalar Floating-Point and Advanced SIMD ──────────────────
  // One id per Arm ARM encoding class; the class's own opcode fields select the operation.
  'CRYPTO_AES', // Cryptographic AES: size opcode rn rd
  'CRYPTO_SHA3REG', // Cryptographic three-register SHA: size rm opcode rn rd
  'CRYPTO_SHA2REG', // Cryptographic two-register SHA: size opcode rn rd
  'CRYPTO_3REG_IMM2', // Cryptographic three-register, imm2 (SM3TT*): rm imm2 opcode rn rd
  'CRYPTO_SHA512_3', // Cryptographic three-register SHA512 (+SM3/SM4/RAX1): rm o opcode rn rd
  'CRYPTO_4REG', // Cryptographic four-register (EOR3 BCAX SM3SS1): op0 rm ra rn rd
  'CRYPTO_XAR', // XAR: rm imm6 rn rd
  'CRYPTO_SHA512_2', // Cryptographic two-register SHA512 (SHA512SU0 SM4E): opcode rn rd
  'SIMD_S_COPY', // AdvSIMD scalar copy (DUP element): op imm5 imm4 rn rd
  'SIMD_S_3SAME_FP16', // AdvSIMD scalar three same FP16: u a rm opcode rn rd
  'SIMD_S_2MISC_FP16', // AdvSIMD scalar two-register misc FP16: u a opcode rn rd
  'SIMD_S_3SAME_EXTRA', // AdvSIMD scalar three same extra (SQRDMLAH...): u size rm opcode rn rd
  'SIMD_S_2MISC', // AdvSIMD scalar two-register misc: u size opcode rn rd
  'SIMD_S_PAIRWISE', // AdvSIMD scalar pairwise: u size opcode rn rd
  'SIMD_S_3DIFF', // AdvSIMD scalar three different: u size rm opcode rn rd
  'SIMD_S_3SAME', // AdvSIMD scalar three same: u size rm opcode rn rd
  'SIMD_S_SHIFT_IMM', // AdvSIMD scalar shift by immediate: u immh immb opcode rn rd
  'SIMD_S_ELEM', // AdvSIMD scalar x indexed element: u size l m rm opcode h rn rd
  'SIMD_TBL', // AdvSIMD table lookup (TBL TBX): q op2 rm len op rn rd
  'SIMD_PERM', // AdvSIMD permute (UZP TRN ZIP): q size rm opcode rn rd
  'SIMD_EXT', // AdvSIMD extract: q op2 rm imm4 rn rd
  'SIMD_COPY', // AdvSIMD copy (DUP INS SMOV UMOV): q op imm5 imm4 rn rd
  'SIMD_3SAME_FP16', // AdvSIMD three same (FP16): q u a rm opcode rn rd
  'SIMD_2MISC_FP16', // AdvSIMD two-register miscellaneous (FP16): q u a opcode rn rd
  'SIMD_3SAME_EXTRA', // AdvSIMD three-register extension (SDOT FCMLA ...): q u size rm opcode rn rd
  'SIMD_2MISC', // AdvSIMD two-register miscellaneous: q u size opcode rn rd
  'SIMD_ACROSS', // AdvSIMD across lanes: q u size opcode rn rd
  'SIMD_3DIFF', // AdvSIMD three different: q u size rm opcode rn rd
  'SIMD_3SAME', // AdvSIMD three same: q u size rm opcode rn rd
  'SIMD_MODIMM', // AdvSIMD modified immediate (MOVI MVNI ORR BIC FMOV): q op abc cmode o2 defgh imm8 rd
  'SIMD_SHIFT_IMM', // AdvSIMD shift by immediate: q u immh immb opcode rn rd
  'SIMD_ELEM', // AdvSIMD vector x indexed element: q u size l m rm opcode h rn rd
  'FP_CVT_FIXED', // Conversion between floating-point and fixed-point: sf ftype rmode opcode scale rn rd
  'FP_CVT_INT', // Conversion between floating-point and integer: sf ftype rmode opcode rn rd
  'FP_DP1', // Floating-point data-processing (1 source): ftype opcode rn rd
  'FP_CMP', // Floating-point compare: ftype rm op opcode2 rn
  'FP_IMM', // Floating-point immediate (FMOV): ftype imm8 imm5 rd
  'FP_CCMP', // Floating-point conditional compare: ftype rm cond op rn nzcv
  'FP_DP2', // Floating-point data-processing (2 source): ftype rm opcode rn rd
  'FP_CSEL', // Floating-point conditional select: ftype rm cond rn rd
  'FP_DP3', // Floating-point data-processing (3 source): ftype o1 rm o0 ra rn rd
] as const;

export type InsnId = (typeof INSN_IDS)[number];

const idSet: ReadonlySet<string> = new Set(INSN_IDS);

/** True if `s` names an InsnId. */
export const isInsnId = (s: string): s is InsnId => idSet.has(s);
