#include "hr_mark.h"

#include <string.h>

#include "hr_bytes.h"
#include "hr_crc32.h"

void hr_mark_factory(hr_mark *m)
{
    memset(m, 0, sizeof *m);
}

void hr_mark_encode(const hr_mark *m, uint8_t out[HR_MARK_BYTES])
{
    memset(out, 0, HR_MARK_BYTES);
    memcpy(out, "MMRK", 4);
    hr_put_u32(out + 4, m->sequence);
    out[8] = m->mode;
    out[9] = m->slot;
    out[10] = m->state;
    hr_put_u32(out + 12, m->campaign);
    hr_put_u32(out + 16, m->persisted);
    hr_put_u32(out + 20, m->image_size);
    memcpy(out + 24, m->digest, 32);
    hr_put_u32(out + 60, hr_crc32(out, 60));
}

int hr_mark_decode(const uint8_t in[HR_MARK_BYTES], hr_mark *m)
{
    if (memcmp(in, "MMRK", 4) != 0) return 0;
    if (hr_crc32(in, 60) != hr_get_u32(in + 60)) return 0;
    m->sequence = hr_get_u32(in + 4);
    m->mode = in[8];
    m->slot = in[9];
    m->state = in[10];
    m->campaign = hr_get_u32(in + 12);
    m->persisted = hr_get_u32(in + 16);
    m->image_size = hr_get_u32(in + 20);
    memcpy(m->digest, in + 24, 32);
    return 1;
}

int hr_mark_choose(int valid0, uint32_t seq0, int valid1, uint32_t seq1)
{
    if (!valid0 && !valid1) return -1;
    if (valid0 != valid1) return valid0 ? 0 : 1;
    /* Serial-number arithmetic, (int32)(seq1 - seq0) > 0 written without the implementation-defined
     * cast: slot 1 only when strictly newer, equal sequences pick slot 0. */
    uint32_t ahead = seq1 - seq0;
    return (ahead != 0u && ahead < 0x80000000u) ? 1 : 0;
}

int hr_mark_differs(const hr_mark *a, const hr_mark *b)
{
    return a->mode != b->mode || a->slot != b->slot || a->state != b->state || a->campaign != b->campaign ||
           a->persisted != b->persisted || a->image_size != b->image_size || memcmp(a->digest, b->digest, 32) != 0;
}
