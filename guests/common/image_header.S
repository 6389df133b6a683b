/*
 * image_header.S — the arm64 Linux Image header (linux Documentation/arch/arm64/booting.rst §4),
 * linked first (section .text.head) into images that want to be loaded as an `Image` rather than
 * as a raw blob: QEMU (hw/arm/boot.c load_aarch64_image) and hvlab's board see the "ARM\x64"
 * magic at offset 56 and load the image at RAM base + text_offset = 0x40080000.
 */
  .section .text.head, "ax"
  .global _image_head
_image_head:
  b _start                          /* code0: entry is the first byte of the image */
  .word 0                           /* code1 */
  .quad 0x80000                     /* text_offset */
  .quad __image_end - _image_head   /* image_size: the whole image including .bss and stack */
  .quad 0x2                         /* flags: little-endian, 4 KiB pages, 2 MiB-aligned base */
  .quad 0                           /* res2 */
  .quad 0                           /* res3 */
  .quad 0                           /* res4 */
  .ascii "ARM\x64"                  /* magic */
  .word 0                           /* res5 (PE header offset: none) */
