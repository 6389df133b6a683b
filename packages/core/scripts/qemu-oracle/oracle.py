# The gdb-multiarch half of the QEMU conformance oracle (see README.md beside this file).
#
# Run inside gdb (`gdb-multiarch -nx -q -batch -x oracle.py`) by session.ts, never by hand.
# It is deliberately mechanical: the TypeScript side decides what to write, which instructions
# to execute at EL2 and how many steps to take; this script only carries that out against
# `qemu-system-aarch64 -M virt,virtualization=on -S -gdb tcp:127.0.0.1:PORT` and reports the
# raw machine state. All interpretation (exits, banked stack pointers, comparison) is in
# TypeScript.
#
# Input: the JSON file named by $HVLAB_ORACLE_INPUT:
#   { "port": int, "connectTimeoutS": float, "scratch": int, "clear": [[pa, len], ...],
#     "jobs": [ { "id": int, "key": str, "writes": [[pa, hex]], "phases": [Phase, ...] } ] }
#   Phase = { "writes": [[pa, hex]],          physical memory written before the phase
#             "el2": [[insn, x0 | null]],     instructions executed one at a time at EL2
#             "x": [31 values] | null,         X0..X30 set (through gdb) before the ERET
#             "eret": bool,                   leave EL2 with ERET (ELR_EL2/SPSR_EL2) first
#             "resumePc": int | null,         the PC the ERET must reach (sanity check)
#             "steps": int,                   single steps; stop early on entry to EL2
#             "sysregs": [name], "mem": [[pa, len]] }   what to read afterwards
#   Integers above 2^53 travel as "0x..." strings.
#
# Output: one line per job on stdout, `HVLAB-ORACLE {json}`:
#   { "id", "phases": [ { "steps", "x": [31], "pc", "cpsr", "sp", "spEl0", "spEl1",
#                         "el2": {ESR_EL2, FAR_EL2, HPFAR_EL2, ELR_EL2, SPSR_EL2} | null,
#                         "sysregs": {name: value | null}, "mem": [[pa, hex]] } ],
#     "stopped": reason | null }            or   { "id", "error": message }
# and a final `HVLAB-ORACLE {"done": n}`. Values are "0x..." strings.
import json
import os
import struct
import sys
import time

import gdb

M64 = (1 << 64) - 1
MARK = 'HVLAB-ORACLE '
# ERET (Arm ARM C6.2 "ERET"): returns to ELR_EL2 with PSTATE from SPSR_EL2.
ERET = 0xD69F03E0
EL2_STATE = ('ESR_EL2', 'FAR_EL2', 'HPFAR_EL2', 'ELR_EL2', 'SPSR_EL2')


class OracleError(Exception):
    pass


def ex(cmd):
    return gdb.execute(cmd, to_string=True)


def num(v):
    return int(v, 16) if isinstance(v, str) else v


def hx(v):
    return '0x%x' % v


def flush_regs():
    # gdb caches registers; after a raw packet moved the target it must re-read them.
    ex('maint flush register-cache')


def step():
    # A raw gdbstub single step (the 's' packet). gdb's own `stepi` is unusable here: it
    # steps over whole LDXR..STXR sequences (and some hints) as one "instruction".
    ex('maint packet s')
    flush_regs()


def rd(name):
    return int(gdb.parse_and_eval('$' + name)) & M64


def wr(name, value):
    value &= M64
    ex('set $%s = %d' % (name, value - (1 << 64) if value >= (1 << 63) else value))
    flush_regs()


def el():
    return (rd('cpsr') >> 2) & 3


def phys(on):
    # QEMU extension: memory accesses through the gdbstub use physical addresses.
    ex('maint packet Qqemu.PhyMemMode:%d' % (1 if on else 0))


def write_phys(inf, writes):
    if not writes:
        return
    phys(True)
    try:
        for pa, data in writes:
            inf.write_memory(num(pa), data if isinstance(data, bytes) else bytes.fromhex(data))
    finally:
        phys(False)


def read_sysreg(name):
    # QEMU's gdb register names are its cpreg names (target/arm/helper.c): registers defined
    # for both AArch32 and AArch64 drop the _EL1 suffix ("SCTLR", "VBAR"), the rest keep it.
    candidates = [name, name[:-4]] if name.endswith('_EL1') else [name]
    for c in candidates:
        try:
            return rd(c)
        except gdb.error:
            pass
    return None


class Session:
    def __init__(self, cfg):
        self.cfg = cfg
        self.scratch = num(cfg['scratch'])
        self.inf = None

    def connect(self):
        ex('set pagination off')
        ex('set confirm off')
        ex('set remotetimeout 20')
        deadline = time.monotonic() + float(self.cfg['connectTimeoutS'])
        while True:
            try:
                ex('target remote 127.0.0.1:%d' % int(self.cfg['port']))
                break
            except gdb.error:
                # QEMU may not be listening yet; session.ts bounds the whole session as well.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.inf = gdb.selected_inferior()

    def exec_el2(self, insn, x0=None):
        """Executes one instruction at EL2 from the scratch page (X0 = x0 first, if given)."""
        if el() != 2:
            raise OracleError('cannot execute 0x%08x at EL2: the CPU is at EL%d' % (insn, el()))
        write_phys(self.inf, [(self.scratch, struct.pack('<I', insn))])
        wr('pc', self.scratch)
        if x0 is not None:
            wr('x0', num(x0))
        step()
        if insn == ERET:
            return
        if el() != 2 or rd('pc') != self.scratch + 4:
            raise OracleError('0x%08x at EL2 raised an exception (ESR_EL2=%s, now EL%d pc=%s)'
                              % (insn, hx(rd('ESR_EL2')), el(), hx(rd('pc'))))

    def read_state(self, ph, steps):
        st = {
            'steps': steps,
            'x': [hx(rd('x%d' % i)) for i in range(31)],
            'pc': hx(rd('pc')),
            'cpsr': hx(rd('cpsr') & 0xFFFFFFFF),
            'sp': hx(rd('sp')),
            'spEl0': hx(rd('SP_EL0')),
            'spEl1': hx(rd('SP_EL1')),
            'el2': {n: hx(rd(n)) for n in EL2_STATE} if el() == 2 else None,
            'sysregs': {},
            'mem': [],
        }
        for name in ph['sysregs']:
            v = read_sysreg(name)
            st['sysregs'][name] = None if v is None else hx(v)
        phys(True)
        try:
            for pa, n in ph['mem']:
                st['mem'].append([pa, bytes(self.inf.read_memory(num(pa), n)).hex()])
        finally:
            phys(False)
        return st

    def run_phase(self, ph):
        write_phys(self.inf, [(pa, data) for pa, data in ph['writes']])
        for insn, x0 in ph['el2']:
            self.exec_el2(insn, x0)
        if ph['x'] is not None:
            for i, v in enumerate(ph['x']):
                wr('x%d' % i, num(v))
        if ph['eret']:
            self.exec_el2(ERET)
            if el() == 2:
                raise OracleError('ERET did not leave EL2 (SPSR_EL2=%s)' % hx(rd('SPSR_EL2')))
            if ph['resumePc'] is not None and rd('pc') != num(ph['resumePc']):
                raise OracleError('ERET reached %s, not %s' % (hx(rd('pc')), ph['resumePc']))
        steps = 0
        while steps < ph['steps']:
            step()
            steps += 1
            if el() == 2:
                break
        return self.read_state(ph, steps)

    def run_job(self, job):
        ex('monitor system_reset')
        flush_regs()
        if el() != 2:
            raise OracleError('after system_reset the CPU is at EL%d, not EL2 (is virtualization=on?)' % el())
        write_phys(self.inf, [(pa, bytes(n)) for pa, n in self.cfg['clear']])
        write_phys(self.inf, [(pa, data) for pa, data in job['writes']])
        phases = []
        for ph in job['phases']:
            # A phase that resumes from EL2 needs the previous one to have stopped there; if
            # QEMU stopped elsewhere the case already differs, so later phases are moot.
            if (ph['eret'] or ph['el2']) and el() != 2:
                return {'id': job['id'], 'phases': phases, 'stopped': 'not at EL2 before phase %d' % len(phases)}
            phases.append(self.run_phase(ph))
        return {'id': job['id'], 'phases': phases, 'stopped': None}


def emit(obj):
    sys.stdout.write(MARK + json.dumps(obj) + '\n')
    sys.stdout.flush()
    gdb.flush()


def main():
    with open(os.environ['HVLAB_ORACLE_INPUT']) as f:
        cfg = json.load(f)
    s = Session(cfg)
    s.connect()
    for job in cfg['jobs']:
        try:
            emit(s.run_job(job))
        except Exception as e:  # reported per case; the TypeScript side fails that case
            emit({'id': job['id'], 'error': '%s: %s' % (type(e).__name__, e)})
    emit({'done': len(cfg['jobs'])})
    try:
        ex('monitor quit')  # QEMU exits now; session.ts kills it anyway if it does not
    except gdb.error:
        pass


try:
    main()
except Exception as e:
    emit({'fatal': '%s: %s' % (type(e).__name__, e)})
    raise
