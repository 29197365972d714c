#include "hr_image.h"

#include <string.h>

#include "hr_bytes.h"
#include "hr_crc32.h"

int hr_image_header_decode(const uint8_t b[HR_IMAGE_HEADER_BYTES], hr_image_header *h)
{
    if (memcmp(b, "HRIM", 4) != 0) return 0;
    if (hr_crc32(b, 60) != hr_get_u32(b + 60)) return 0;
    if (b[4] != 1) return 0;
    h->flags = b[5];
    h->model_id = b[6];
    memcpy(h->version, b + 8, 4);
    h->body_size = hr_get_u32(b + 12);
    memcpy(h->digest, b + 16, 32);
    return 1;
}

uint64_t hr_image_file_size(const hr_image_header *h)
{
    return HR_IMAGE_HEADER_BYTES + (uint64_t)h->body_size + ((h->flags & HR_IMAGE_FLAG_SIGNED) ? HR_IMAGE_SIGNATURE_BYTES : 0u);
}
