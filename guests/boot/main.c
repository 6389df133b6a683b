/*
 * boot — the boot contract and platform description a Linux-style guest relies on.
 *
 * Built twice from this source: boot.bin (a raw blob, loaded at 0x40080000) and boot-image.bin
 * (the same program behind an arm64 Image header, common/image_header.S). Both are entered at
 * EL1 with x0 = the DTB address (linux Documentation/arch/arm64/booting.rst §4; QEMU
 * hw/arm/boot.c). The guest checks the FDT header (DT spec v0.4 §5.2), walks the structure block
 * and prints the properties Linux uses to find the platform — found by compatible or
 * device_type, never by node name, and never addresses that depend on where the DTB was placed.
 * It then reads the PL011 identification registers (which Linux's AMBA bus matches on), and
 * queries PSCI (Arm DEN 0022: PSCI_VERSION, PSCI_FEATURES).
 */
#include "hvguest.h"

#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE 2U
#define FDT_PROP 3U
#define FDT_NOP 4U
#define FDT_END 9U

static const u8 *fdt;
static u32 fdt_size, off_struct, off_strings, size_struct;

static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static u32 align4(u32 x) { return (x + 3) & ~3U; }
static int str_eq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}
static u32 str_len(const char *s) {
  u32 n = 0;
  while (s[n]) n++;
  return n;
}

/* Token at structure offset `off` (relative to the structure block), or FDT_END past the end. */
static u32 token(u32 off) { return off + 4 <= size_struct ? be32(fdt + off_struct + off) : FDT_END; }

/* Offset after the token at `off` (BEGIN_NODE name and PROP value included). */
static u32 skip(u32 off) {
  u32 t = token(off);
  if (t == FDT_BEGIN_NODE) return off + 4 + align4(str_len((const char *)fdt + off_struct + off + 4) + 1);
  if (t == FDT_PROP) return off + 12 + align4(be32(fdt + off_struct + off + 4));
  return off + 4;
}

/* A property of the node whose BEGIN_NODE is at `node` (not of its children). */
static const u8 *prop(u32 node, const char *name, u32 *len) {
  for (u32 off = skip(node);;) {
    u32 t = token(off);
    if (t == FDT_NOP) {
      off += 4;
      continue;
    }
    if (t != FDT_PROP) return 0;
    const char *pname = (const char *)fdt + off_strings + be32(fdt + off_struct + off + 8);
    if (str_eq(pname, name)) {
      *len = be32(fdt + off_struct + off + 4);
      return fdt + off_struct + off + 12;
    }
    off = skip(off);
  }
}

/* True if the string list `p[0..len)` contains `s`. */
static int strlist_has(const u8 *p, u32 len, const char *s) {
  for (u32 i = 0; i < len;) {
    const char *e = (const char *)p + i;
    if (str_eq(e, s)) return 1;
    i += str_len(e) + 1;
  }
  return 0;
}

/* The n-th node (in structure order) whose property `name` contains the string `value`. */
static int find_node(const char *name, const char *value, int nth, u32 *node) {
  for (u32 off = 0; token(off) != FDT_END; off = skip(off)) {
    if (token(off) != FDT_BEGIN_NODE) continue;
    u32 len;
    const u8 *p = prop(off, name, &len);
    if (p && strlist_has(p, len, value) && nth-- == 0) {
      *node = off;
      return 1;
    }
  }
  return 0;
}

/* The node at absolute path `path` ("/a/b", options after ':' ignored). */
static int find_path(const char *path, u32 *node) {
  u32 off = 0;
  if (token(0) != FDT_BEGIN_NODE || path[0] != '/') return 0;
  const char *comp = path + 1;
  for (;;) {
    while (*comp == '/') comp++;
    if (*comp == 0 || *comp == ':') {
      *node = off;
      return 1;
    }
    u32 clen = 0;
    while (comp[clen] && comp[clen] != '/' && comp[clen] != ':') clen++;
    /* Search the children of `off` for one named comp[0..clen). */
    int depth = 0;
    int found = 0;
    for (u32 o = skip(off); token(o) != FDT_END; o = skip(o)) {
      u32 t = token(o);
      if (t == FDT_BEGIN_NODE) {
        if (depth == 0) {
          const char *n = (const char *)fdt + off_struct + o + 4;
          u32 i = 0;
          while (i < clen && n[i] == comp[i]) i++;
          if (i == clen && n[i] == 0) {
            off = o;
            found = 1;
            break;
          }
        }
        depth++;
      } else if (t == FDT_END_NODE) {
        if (depth-- == 0) break;
      }
    }
    if (!found) return 0;
    comp += clen;
  }
}

static void print_strlist(const u8 *p, u32 len) {
  for (u32 i = 0; i < len;) {
    const char *e = (const char *)p + i;
    printf(" \"%s\"", e);
    i += str_len(e) + 1;
  }
}

static void print_cells(const u8 *p, u32 len) {
  uart_puts(" <");
  for (u32 i = 0; i + 4 <= len; i += 4) printf(i ? " 0x%x" : "0x%x", be32(p + i));
  uart_puts(">");
}

static void show(const char *label, u32 node, const char *name, int is_string) {
  u32 len;
  const u8 *p = prop(node, name, &len);
  printf("%s %s:", label, name);
  if (!p)
    uart_puts(" (absent)");
  else if (is_string)
    print_strlist(p, len);
  else
    print_cells(p, len);
  uart_putc('\n');
}

static void dt_tests(u64 x0) {
  fdt = (const u8 *)x0;
  if (x0 < RAM_BASE || x0 >= RAM_BASE + 0x8000000UL || (x0 & 7) != 0 || be32(fdt) != FDT_MAGIC) {
    uart_puts("dtb: x0 does not point to a flattened device tree FAIL\n");
    return;
  }
  fdt_size = be32(fdt + 4);
  off_struct = be32(fdt + 8);
  off_strings = be32(fdt + 12);
  size_struct = be32(fdt + 36);
  printf("dtb: magic ok, version %u, last compatible version %u, boot cpu %u\n", be32(fdt + 20), be32(fdt + 24),
         be32(fdt + 28));
  if (off_struct + size_struct > fdt_size || off_strings >= fdt_size) {
    uart_puts("dtb: blocks outside totalsize FAIL\n");
    return;
  }
  u32 n;
  show("/", 0, "compatible", 1);
  show("/", 0, "#address-cells", 0);
  show("/", 0, "#size-cells", 0);
  if (find_node("device_type", "memory", 0, &n)) show("memory", n, "reg", 0);
  int cpus = 0;
  while (find_node("device_type", "cpu", cpus, &n)) {
    show("cpu", n, "compatible", 1);
    show("cpu", n, "reg", 0);
    cpus++;
  }
  printf("cpus: %d\n", cpus);
  if (find_node("compatible", "arm,psci-0.2", 0, &n)) {
    show("psci", n, "compatible", 1);
    show("psci", n, "method", 1);
  } else {
    uart_puts("psci: no arm,psci-0.2 node FAIL\n");
  }
  if (find_node("compatible", "arm,gic-v3", 0, &n)) {
    show("gic", n, "reg", 0);
    show("gic", n, "#interrupt-cells", 0);
    show("gic", n, "interrupt-controller", 0);
  } else {
    uart_puts("gic: no arm,gic-v3 node FAIL\n");
  }
  if (find_node("compatible", "arm,armv8-timer", 0, &n)) {
    show("timer", n, "interrupts", 0);
  } else {
    uart_puts("timer: no arm,armv8-timer node FAIL\n");
  }
  u32 uart;
  if (find_node("compatible", "arm,pl011", 0, &uart)) {
    show("pl011", uart, "compatible", 1);
    show("pl011", uart, "reg", 0);
    show("pl011", uart, "interrupts", 0);
  } else {
    uart_puts("pl011: no arm,pl011 node FAIL\n");
  }
  u32 chosen, len, target;
  if (find_path("/chosen", &chosen)) {
    const u8 *p = prop(chosen, "stdout-path", &len);
    int ok = p && find_path((const char *)p, &target) && target == uart;
    printf("chosen: stdout-path names the pl011 node %s\n", ok ? "ok" : "FAIL");
  } else {
    uart_puts("chosen: no /chosen node FAIL\n");
  }
}

/* PL011 identification registers (ARM DDI 0183 §3.3.16-3.3.17), read with 32-bit accesses. */
static void pl011_tests(void) {
  uart_puts("pl011: UARTPeriphID0-3 =");
  for (u64 off = 0xfe0; off < 0xff0; off += 4) printf(" 0x%02x", mmio_read32(UART0_BASE + off) & 0xff);
  uart_puts("\npl011: UARTPCellID0-3 =");
  for (u64 off = 0xff0; off < 0x1000; off += 4) printf(" 0x%02x", mmio_read32(UART0_BASE + off) & 0xff);
  /* UARTFR: TXFE (7) and RXFE (4) with nothing to receive and nothing queued. */
  printf("\npl011: UARTFR & 0xf8 = 0x%x\n", mmio_read32(UART0_BASE + 0x18) & 0xf8);
}

static void psci_tests(void) {
  u64 v = psci_call(PSCI_VERSION, 0, 0, 0);
  printf("psci: PSCI_VERSION = %lu.%lu\n", (v >> 16) & 0xffff, v & 0xffff);
  static const struct {
    const char *name;
    u64 fid;
  } fns[] = {
      {"PSCI_VERSION", PSCI_VERSION},
      {"PSCI_FEATURES", PSCI_FEATURES},
      {"SYSTEM_OFF", PSCI_SYSTEM_OFF},
      {"SYSTEM_RESET", PSCI_SYSTEM_RESET},
      {"CPU_FREEZE", 0x8400000BUL},
  };
  for (unsigned i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    i64 r = (i64)(i32)psci_call(PSCI_FEATURES, fns[i].fid, 0, 0);
    printf("psci: PSCI_FEATURES(%s) = %ld\n", fns[i].name, r);
  }
}

int main(u64 boot_x0) {
  printf("boot: CurrentEL = %lu, DAIF = 0x%lx, SCTLR_EL1.M = %lu\n", (read_sysreg(CurrentEL) >> 2) & 3,
         read_sysreg(daif), read_sysreg(sctlr_el1) & 1);
  dt_tests(boot_x0);
  pl011_tests();
  psci_tests();
  uart_puts("boot: done\n");
  return 0;
}
