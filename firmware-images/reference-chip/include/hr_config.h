/*
 * Compile-time sizes of the reference chip (HilRig chain protocol v1, docs/protocol.md).
 * Every buffer of the firmware is static; these numbers are the whole RAM budget of the core.
 */
#ifndef HR_CONFIG_H
#define HR_CONFIG_H

/* Protocol version this firmware speaks (docs/protocol.md §1). */
#define HR_PROTOCOL_VERSION 1u

/* Largest payload and frame (§3.1): 15 bytes of framing around at most 1024 payload bytes. */
#define HR_MAX_PAYLOAD 1024u
#define HR_FRAME_OVERHEAD 15u
#define HR_MAX_FRAME (HR_MAX_PAYLOAD + HR_FRAME_OVERHEAD)

/* Port 0 is upstream, ports 1..HR_MAX_PORTS-1 downstream (§2). */
#ifndef HR_MAX_PORTS
#define HR_MAX_PORTS 4u
#endif

/* Framer buffer per port: one maximum frame plus room for the next one to start (§3.3). */
#ifndef HR_RX_BUFFER_BYTES
#define HR_RX_BUFFER_BYTES (2u * HR_MAX_FRAME)
#endif

/* Each hop keeps 100 ms of the PREPARE budget for its own answer (§7.1, §7.5 ChipConfig.PrepareMarginMs). */
#define HR_PREPARE_MARGIN_MS 100u

/* A PREPARE_ACK holds at most 145 topology entries (§5.2: 7 + 7*145 <= 1024). */
#define HR_MAX_TOPOLOGY_ENTRIES 145u

/* Bytes read from flash at a time while hashing an image slot (stack buffer). */
#define HR_FLASH_CHUNK_BYTES 256u

#endif
