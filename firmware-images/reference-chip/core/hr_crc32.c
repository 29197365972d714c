#include "hr_crc32.h"

/* Nibble table (16 entries, 64 bytes of flash): fast enough for 11.5 KB/s lines, small for an MCU. */
static const uint32_t nibble_table[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
    0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t hr_crc32_update(uint32_t reg, const uint8_t *p, size_t n)
{
    while (n--) {
        reg ^= *p++;
        reg = (reg >> 4) ^ nibble_table[reg & 0x0Fu];
        reg = (reg >> 4) ^ nibble_table[reg & 0x0Fu];
    }
    return reg;
}

uint32_t hr_crc32(const uint8_t *p, size_t n)
{
    return hr_crc32_update(0xFFFFFFFFu, p, n) ^ 0xFFFFFFFFu;
}
