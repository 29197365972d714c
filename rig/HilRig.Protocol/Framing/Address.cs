namespace HilRig.Protocol.Framing;

/// <summary>Chain addresses (docs/protocol.md §4). A chip's address is its model id, 0x01..0xFD.</summary>
public static class Address
{
    /// <summary>The comm module (the chain's upstream end).</summary>
    public const byte Module = 0x00;

    /// <summary>The test rig injecting queries from inside a link; never sent by firmware.</summary>
    public const byte Rig = 0xFE;

    /// <summary>Every chip.</summary>
    public const byte Broadcast = 0xFF;

    /// <summary>True when <paramref name="address"/> can be a chip model id.</summary>
    public static bool IsChip(byte address) => address is >= 0x01 and <= 0xFD;

    /// <summary>A short name for logs: "module", "rig", "all" or "chip 0x21".</summary>
    public static string Describe(byte address) => address switch
    {
        Module => "module",
        Rig => "rig",
        Broadcast => "all",
        _ => $"0x{address:X2}",
    };
}
