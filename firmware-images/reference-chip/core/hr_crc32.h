/* CRC-32/ISO-HDLC (docs/protocol.md §3.2): frames, image headers and memory marks. */
#ifndef HR_CRC32_H
#define HR_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Feeds bytes into a running register; start with 0xFFFFFFFF, finish with ^ 0xFFFFFFFF. */
uint32_t hr_crc32_update(uint32_t reg, const uint8_t *p, size_t n);

/* CRC of n bytes. */
uint32_t hr_crc32(const uint8_t *p, size_t n);

#endif
