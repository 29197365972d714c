/* The mode machine of docs/protocol.md §6 as a table (core/hr_mode.c): which mode follows which. */
#ifndef HR_MODE_H
#define HR_MODE_H

#include <stdint.h>

/* What makes a chip change mode; the same events as HilRig.Protocol.Modes.ModeEvent. */
enum {
    HR_EV_START_FOR_ME = 0,                /* START for me, header OK, not already upgraded (§6.2 steps 3-5) */
    HR_EV_START_FOR_ME_ALREADY_UPGRADED,   /* START for me, DONE in this campaign, same digest (§6.2 step 2) */
    HR_EV_START_FOR_OTHER,                 /* START for another chip, not DONE in its campaign (§6.2) */
    HR_EV_START_FOR_OTHER_DONE_HERE,       /* START for another chip, DONE in its campaign (§6.2, §6.4) */
    HR_EV_TRANSFER_ENDED,                  /* last byte persisted and checked: activated or rejected (§7.4) */
    HR_EV_COMPLETE,                        /* a COMPLETE received (§6.5) */
    HR_EV_PREPARE_OF_ANOTHER_CAMPAIGN      /* the running campaign abandoned (§7.1) */
};

/* The mode after `event` in `mode`; `mode` itself when the table has no row for the pair. */
uint8_t hr_mode_next(uint8_t mode, uint8_t event);

#endif
