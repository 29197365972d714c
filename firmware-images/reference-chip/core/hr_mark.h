/* Memory mark (docs/protocol.md §9): the 64-byte record, its two slots and the choice at power-on. */
#ifndef HR_MARK_H
#define HR_MARK_H

#include <stdint.h>

#define HR_MARK_BYTES 64u

/* Modes (§5, §6). */
enum { HR_MODE_INITIAL = 0, HR_MODE_UPGRADE = 1, HR_MODE_PASS_THROUGH = 2, HR_MODE_SLEEP = 3 };

/* Upgrade states (§5). */
enum { HR_STATE_IDLE = 0, HR_STATE_RECEIVING = 1, HR_STATE_VERIFIED = 2, HR_STATE_DONE = 3, HR_STATE_FAILED = 4 };

typedef struct {
    uint32_t sequence;
    uint8_t mode;
    uint8_t slot;
    uint8_t state;
    uint32_t campaign;
    uint32_t persisted;
    uint32_t image_size;
    uint8_t digest[32];
} hr_mark;

/* The record assumed when neither slot holds a valid one (§9.1). */
void hr_mark_factory(hr_mark *m);

void hr_mark_encode(const hr_mark *m, uint8_t out[HR_MARK_BYTES]);

/* Returns 1 when magic and CRC match. */
int hr_mark_decode(const uint8_t in[HR_MARK_BYTES], hr_mark *m);

/* §9.3: which slot holds the current record, -1 for none (factory record). */
int hr_mark_choose(int valid0, uint32_t seq0, int valid1, uint32_t seq1);

/* True when the persisted fields of a and b differ (the sequence is not compared). */
int hr_mark_differs(const hr_mark *a, const hr_mark *b);

#endif
