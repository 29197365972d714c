/* The mode machine of docs/protocol.md §6 as data. One row per line, in the order and with the rows of
 * HilRig.Protocol.Modes.ModeMachine: tests/HilRig.Protocol.Tests (ModeMachineTests) reads this table
 * and fails naming the row that differs. */
#include "hr_mode.h"

#include <stddef.h>

#include "hr_mark.h"

typedef struct {
    uint8_t from;
    uint8_t event;
    uint8_t to;
} hr_mode_row;

static const hr_mode_row rows[] = {
    {HR_MODE_INITIAL, HR_EV_START_FOR_ME, HR_MODE_UPGRADE},
    {HR_MODE_INITIAL, HR_EV_START_FOR_OTHER, HR_MODE_PASS_THROUGH},
    {HR_MODE_INITIAL, HR_EV_START_FOR_OTHER_DONE_HERE, HR_MODE_SLEEP},
    {HR_MODE_INITIAL, HR_EV_START_FOR_ME_ALREADY_UPGRADED, HR_MODE_INITIAL},
    {HR_MODE_INITIAL, HR_EV_COMPLETE, HR_MODE_INITIAL},
    {HR_MODE_PASS_THROUGH, HR_EV_START_FOR_ME, HR_MODE_UPGRADE},
    {HR_MODE_PASS_THROUGH, HR_EV_START_FOR_OTHER, HR_MODE_PASS_THROUGH},
    {HR_MODE_PASS_THROUGH, HR_EV_START_FOR_OTHER_DONE_HERE, HR_MODE_SLEEP},
    {HR_MODE_PASS_THROUGH, HR_EV_COMPLETE, HR_MODE_INITIAL},
    {HR_MODE_PASS_THROUGH, HR_EV_START_FOR_ME_ALREADY_UPGRADED, HR_MODE_INITIAL},
    {HR_MODE_PASS_THROUGH, HR_EV_PREPARE_OF_ANOTHER_CAMPAIGN, HR_MODE_INITIAL},
    {HR_MODE_UPGRADE, HR_EV_START_FOR_ME, HR_MODE_UPGRADE},
    {HR_MODE_UPGRADE, HR_EV_TRANSFER_ENDED, HR_MODE_INITIAL},
    {HR_MODE_UPGRADE, HR_EV_COMPLETE, HR_MODE_INITIAL},
    {HR_MODE_UPGRADE, HR_EV_START_FOR_OTHER, HR_MODE_PASS_THROUGH},
    {HR_MODE_UPGRADE, HR_EV_START_FOR_OTHER_DONE_HERE, HR_MODE_SLEEP},
    {HR_MODE_UPGRADE, HR_EV_START_FOR_ME_ALREADY_UPGRADED, HR_MODE_INITIAL},
    {HR_MODE_UPGRADE, HR_EV_PREPARE_OF_ANOTHER_CAMPAIGN, HR_MODE_INITIAL},
    {HR_MODE_SLEEP, HR_EV_COMPLETE, HR_MODE_INITIAL},
    {HR_MODE_SLEEP, HR_EV_START_FOR_OTHER_DONE_HERE, HR_MODE_SLEEP},
};

uint8_t hr_mode_next(uint8_t mode, uint8_t event)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].from == mode && rows[i].event == event) return rows[i].to;
    }
    return mode;
}
