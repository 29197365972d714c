/* SHA-256 (FIPS 180-4): image body digests (docs/protocol.md §8). */
#ifndef HR_SHA256_H
#define HR_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint64_t length_bytes;
    uint8_t block[64];
    size_t block_used;
} hr_sha256_ctx;

void hr_sha256_init(hr_sha256_ctx *ctx);
void hr_sha256_update(hr_sha256_ctx *ctx, const uint8_t *p, size_t n);
void hr_sha256_final(hr_sha256_ctx *ctx, uint8_t digest[32]);

#endif
