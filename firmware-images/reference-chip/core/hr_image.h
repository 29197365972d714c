/* Image header (docs/protocol.md §8). */
#ifndef HR_IMAGE_H
#define HR_IMAGE_H

#include <stdint.h>

#define HR_IMAGE_HEADER_BYTES 64u
#define HR_IMAGE_SIGNATURE_BYTES 64u
#define HR_IMAGE_FLAG_SIGNED 0x01u

typedef struct {
    uint8_t flags;
    uint8_t model_id;
    uint8_t version[4];
    uint32_t body_size;
    uint8_t digest[32];
} hr_image_header;

/* Decodes 64 header bytes; returns 1 when the header is valid (magic, CRC, header version, in that order). */
int hr_image_header_decode(const uint8_t bytes[HR_IMAGE_HEADER_BYTES], hr_image_header *h);

/* Size of the whole image file: header + body + signature if flagged (64-bit: a body size near 2^32 must not wrap). */
uint64_t hr_image_file_size(const hr_image_header *h);

#endif
