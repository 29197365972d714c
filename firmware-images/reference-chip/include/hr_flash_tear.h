/*
 * Bench hooks of the rig's power-cut sweep, shared by the board layers that run on the virtual bench
 * (host/, qemu/); a board on real hardware does not need them (docs/firmware-porting.md). Flash
 * operations are numbered from 1 per power-on; the one the sweep cuts is applied in part, as the C#
 * emulated flash does (docs/protocol.md §10.5): a prefix of K bytes done, the next byte with only some
 * of its bit changes, the rest untouched; K = 0 or the whole range with probability 1/4 each, else
 * uniform in between. Deterministic from the seed and the operation, so a sweep point repeats exactly.
 */
#ifndef HR_FLASH_TEAR_H
#define HR_FLASH_TEAR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int log_ops;            /* log each operation as it begins */
    unsigned long count;    /* operations begun since power-on */
    unsigned long cut_at;   /* the operation the power fails inside (1-based), 0 for none */
    uint32_t state;         /* xorshift32 state */
} hr_flash_tear;

static inline void hr_flash_tear_init(hr_flash_tear *t, int log_ops, unsigned long cut_at, unsigned long seed)
{
    t->log_ops = log_ops;
    t->count = 0;
    t->cut_at = cut_at;
    t->state = (uint32_t)seed * 2654435761u ^ (uint32_t)cut_at * 40503u;
    if (t->state == 0) t->state = 0x9E3779B9u;
}

static inline uint32_t hr_flash_tear_random(hr_flash_tear *t)
{
    t->state ^= t->state << 13;
    t->state ^= t->state >> 17;
    t->state ^= t->state << 5;
    return t->state;
}

/* Counts an operation; returns 1 when the power fails inside it. */
static inline int hr_flash_tear_begin(hr_flash_tear *t)
{
    t->count++;
    return t->cut_at != 0 && t->count == t->cut_at;
}

/* K, the number of leading bytes of an n-byte operation that complete. */
static inline size_t hr_flash_tear_prefix(hr_flash_tear *t, size_t n)
{
    uint32_t r = hr_flash_tear_random(t);
    if ((r & 3u) == 0) return 0;
    if ((r & 3u) == 1 || n <= 1) return n;
    return 1 + (size_t)(hr_flash_tear_random(t) % (uint32_t)(n - 1));
}

/* The byte at position `at` of a torn operation: done before `cut`, partly changed (the bits of `some`)
 * at `cut`, untouched after. `data` is the program's byte, or NULL for an erase. */
static inline uint8_t hr_flash_tear_byte(uint8_t cell, const uint8_t *data, size_t at, size_t cut, uint8_t some)
{
    uint8_t changing = data ? (uint8_t)(cell & (uint8_t)~*data) : (uint8_t)~cell;
    uint8_t apply = at < cut ? changing : at == cut ? (uint8_t)(changing & some) : 0;
    return data ? (uint8_t)(cell & (uint8_t)~apply) : (uint8_t)(cell | apply);
}

#endif
