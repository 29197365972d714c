using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Chip;

/// <summary>What an emulated chip is told at power-on: its model id, ports and flash geometry.</summary>
public sealed record ChipConfig(string Name, byte ModelId, int DownstreamPortCount, FlashLayout Layout)
{
    /// <summary>
    /// A chip that receives PREPARE keeps this much of the budget for itself and hands the rest to its
    /// downstream ports (docs/protocol.md §7, "PREPARE budget").
    /// </summary>
    public const int PrepareMarginMs = 100;

    /// <summary>
    /// Whether the chip speaks protocol 1.2's selective acknowledgement (TRANSFER_OPTIONS, the 21-byte DATA_ACK); false
    /// makes it a 1.1 chip that ignores TRANSFER_OPTIONS (`hilrig bench chip --protocol 1.1`).
    /// </summary>
    public bool SelectiveAck { get; init; } = true;
}

/// <summary>Where the chip's frames go: port 0 is upstream, ports 1.. are downstream.</summary>
public interface IChipOutput
{
    /// <summary>Queues encoded frame bytes on a port.</summary>
    void Send(int port, byte[] bytes);

    /// <summary>A line for the chip's log.</summary>
    void Log(string message);
}
