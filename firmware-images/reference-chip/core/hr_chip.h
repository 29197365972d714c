/*
 * The reference chip of the HilRig chain protocol v1.2 (docs/protocol.md): modes, forwarding,
 * PREPARE aggregation, START decisions, the windowed resumable transfer into the inactive slot,
 * verification and activation, COMPLETE, STATUS, and the memory mark. Portable C99 over hr_board.h;
 * every byte of state lives in one hr_chip, which the caller allocates statically.
 */
#ifndef HR_CHIP_H
#define HR_CHIP_H

#include <stdint.h>

#include "hr_config.h"
#include "hr_frame.h"
#include "hr_mark.h"

typedef struct {
    uint8_t model_id;          /* address on the chain, 0x01..0xFD (§4) */
    unsigned downstream_ports; /* N: ports 1..N are downstream, 0 is upstream (§2) */
    uint32_t sector_size;      /* S of §10.1: a power of two >= 256 */
    uint32_t slot_size;        /* L of §10.1: a multiple of S */
    int operating;             /* device body operating at power-on (§6.6, §11) */
    int protocol_1_1;          /* speak 1.1: ignore TRANSFER_OPTIONS, no selective acknowledgement (§1, §7.3.1) */
} hr_chip_config;

/* A PREPARE this chip has passed downstream and is collecting answers for (§7.1 steps 4 and 5). */
typedef struct {
    int pending;
    uint32_t campaign;
    uint8_t source;          /* the PREPARE's SRC: the answer's DST */
    unsigned port;           /* the port the PREPARE arrived on */
    uint32_t deadline_ms;
    uint32_t answered_ports; /* bit p set: downstream port p answered */
    uint8_t status;
    uint8_t reporting;
    uint8_t count;           /* entries collected from downstream */
    uint8_t entries[7u * HR_MAX_TOPOLOGY_ENTRIES];
} hr_prepare;

/* A START this chip has passed downstream and is collecting START_ACKs for (§7.2, protocol 1.1). */
#define HR_MAX_START_ANSWERS 144u
typedef struct {
    int pending;
    uint8_t source;          /* the START's SRC: the answer's DST */
    unsigned port;           /* the port the START arrived on */
    uint32_t deadline_ms;
    uint32_t answered_ports; /* bit p set: downstream port p answered */
    uint8_t own[11];         /* campaign, chip, mode, resume, status: this chip's own answer */
    uint8_t collection;      /* 0 OK, 5 DOWNSTREAM_SILENT */
    uint8_t reporting;
    uint8_t count;           /* answers collected from downstream */
    int activate_after;      /* a resume of a fully received image: verify and activate once answered */
    uint8_t answers[7u * HR_MAX_START_ANSWERS];
} hr_start_collect;

typedef struct {
    hr_chip_config cfg;
    hr_mark mark;       /* the current record: mode, slot, state, campaign, persisted, size, digest */
    int mark_slot;      /* mark sector holding it, -1 for the factory record (§9.2 rule 2) */
    uint32_t next;      /* next image offset expected in UPGRADE (volatile, §7.3) */
    uint16_t sack_unit; /* selective acknowledgement: bytes per frame, 0 = go-back-N (volatile, §7.3.1) */
    uint64_t held;      /* bit i: the frame at base + i*unit is held, base = next rounded up to the unit (§5.6) */
    int operating;
    uint8_t seq;        /* SEQ of the frames this chip originates (§3.1) */
    uint8_t active_version[4];
    uint8_t active_digest[32]; /* SHA-256 of the active slot's body, from flash (§5.9) */
    hr_prepare prepare;
    hr_start_collect start;
    hr_rx rx[HR_MAX_PORTS];
    uint8_t tx[HR_MAX_FRAME];
    uint32_t dropped_frames;   /* frames not sent because a port's queue was full */
} hr_chip;

/* Power-on (§6.6): reads the mark, the active image, and enters the persisted mode. Returns 0, or -1
 * when the configuration is unusable (logged). */
int hr_chip_init(hr_chip *chip, const hr_chip_config *cfg);

/* Reads every port, handles every complete frame and expired timer. Returns how long the caller may
 * sleep (hr_board_wait) before calling it again: HR_WAIT_FOREVER when only input can wake it. */
uint32_t hr_chip_poll(hr_chip *chip);

/* Power-on, then hr_chip_poll and hr_board_wait forever. */
void hr_chip_run(const hr_chip_config *cfg);

#endif
