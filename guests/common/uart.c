/*
 * uart.c — console output on the PL011 UART0 at 0x09000000 (ARM DDI 0183 PL011 TRM §3.3:
 * UARTDR at 0x000, UARTFR at 0x018 with TXFF = bit 5). No "\r" is added: the console stream is
 * exactly the bytes the guest writes, so QEMU and hvlab outputs compare byte for byte.
 */
#include <stdarg.h>

#include "hvguest.h"

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFF (1U << 5)

void uart_putc(char c) {
  while (mmio_read32(UART0_BASE + UARTFR) & UARTFR_TXFF) {
  }
  mmio_write32(UART0_BASE + UARTDR, (u8)c);
}

void uart_puts(const char *s) {
  while (*s) uart_putc(*s++);
}

static const char hexdigits[] = "0123456789abcdef";

void put_hexn(u64 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) uart_putc(hexdigits[(v >> (4 * i)) & 0xf]);
}

static int hex_width(u64 v) {
  int n = 1;
  while (n < 16 && (v >> (4 * n)) != 0) n++;
  return n;
}

void put_hex(u64 v) {
  uart_puts("0x");
  put_hexn(v, hex_width(v));
}

static void put_dec_width(u64 v, int width, char pad) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (width > n) {
    uart_putc(pad);
    width--;
  }
  while (n > 0) uart_putc(buf[--n]);
}

void put_dec(u64 v) { put_dec_width(v, 0, ' '); }

void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') {
      uart_putc(*p);
      continue;
    }
    p++;
    char pad = ' ';
    int width = 0;
    int is_long = 0;
    if (*p == '0') {
      pad = '0';
      p++;
    }
    while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
    while (*p == 'l') {
      is_long = 1;
      p++;
    }
    switch (*p) {
      case 's': {
        const char *s = va_arg(ap, const char *);
        int len = 0;
        while (s[len]) len++;
        while (width-- > len) uart_putc(' ');
        uart_puts(s);
        break;
      }
      case 'c':
        uart_putc((char)va_arg(ap, int));
        break;
      case 'd': {
        i64 v = is_long ? va_arg(ap, i64) : va_arg(ap, int);
        if (v < 0) {
          uart_putc('-');
          put_dec_width((u64)0 - (u64)v, width > 0 ? width - 1 : 0, pad);
        } else {
          put_dec_width((u64)v, width, pad);
        }
        break;
      }
      case 'u': {
        u64 v = is_long ? va_arg(ap, u64) : va_arg(ap, u32);
        put_dec_width(v, width, pad);
        break;
      }
      case 'x': {
        u64 v = is_long ? va_arg(ap, u64) : va_arg(ap, u32);
        int n = hex_width(v);
        while (width > n) {
          uart_putc(pad);
          width--;
        }
        put_hexn(v, n);
        break;
      }
      case 'p':
        put_hex((u64)va_arg(ap, void *));
        break;
      case '%':
        uart_putc('%');
        break;
      default:
        /* Unknown conversion: print it verbatim so the mistake is visible. */
        uart_putc('%');
        uart_putc(*p);
        break;
    }
    if (*p == 0) break;
  }
  va_end(ap);
}
