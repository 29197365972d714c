namespace HilRig.Protocol.Framing;

/// <summary>Message types of protocol version 1 (docs/protocol.md §5).</summary>
public enum MessageType : byte
{
    /// <summary>Module asks the chain whether an upgrade may start.</summary>
    Prepare = 0x01,
    /// <summary>Aggregated answer to PREPARE, with the subtree's topology.</summary>
    PrepareAck = 0x02,
    /// <summary>Starts one chip's upgrade; sets every chip's mode.</summary>
    Start = 0x03,
    /// <summary>A chip's answer to START: the mode it entered.</summary>
    StartAck = 0x04,
    /// <summary>A slice of the image at an offset.</summary>
    Data = 0x05,
    /// <summary>The target's persisted and next-expected offsets.</summary>
    DataAck = 0x06,
    /// <summary>The target finished (or failed) its upgrade; wakes every chip.</summary>
    Complete = 0x07,
    /// <summary>Asks one chip for its status.</summary>
    StatusRequest = 0x08,
    /// <summary>Mode, version, slot and persisted offset of one chip.</summary>
    StatusResponse = 0x09,
    /// <summary>The device's processor hands the comm module its network config (docs/protocol.md §5.10).</summary>
    Provision = 0x0A,
    /// <summary>The comm module's answer to PROVISION.</summary>
    ProvisionAck = 0x0B,
    /// <summary>Since 1.2: the module hands the device's processor a control command of the device body (docs/protocol.md §5.12).</summary>
    Control = 0x0C,
    /// <summary>Since 1.2: the processor's result of a CONTROL (§5.13).</summary>
    ControlReply = 0x0D,
    /// <summary>Since 1.2: the processor tells the module the device body's power, operating flag and mode (§5.14).</summary>
    BodyStatus = 0x0E,
    /// <summary>Since 1.2: the module relays an OTA instruction to the processor before it carries it out (§5.15).</summary>
    OtaNotice = 0x0F,
    /// <summary>Since 1.2: the processor's answer to OTA_NOTICE: accept, or busy (§5.16).</summary>
    OtaAnswer = 0x10,
    /// <summary>Bench extension: sets the emulated device body's operating flag.</summary>
    BenchSetOperating = 0x70,
    /// <summary>Protocol 1.2: the module offers the target selective acknowledgement for this transfer (docs/protocol.md §7.3.1).</summary>
    TransferOptions = 0x11,
}
