using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HilRig.Core.Wifi;

/// <summary>An IPv4 /8../30 bench network: the rig takes the first address, DHCP hands out the upper half.</summary>
/// <param name="Network">The network address (host bits zero).</param>
/// <param name="PrefixLength">Prefix length, 8 to 30.</param>
public sealed record AirSubnet(IPAddress Network, int PrefixLength)
{
    /// <summary>Parses "10.231.7.0/24"; null with <paramref name="error"/> saying what is wrong.</summary>
    public static AirSubnet? TryParse(string text, out string? error)
    {
        error = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            error = $"'{text}' is not an IPv4 subnet like 10.231.7.0/24";
            return null;
        }
        if (prefix is < 8 or > 30)
        {
            error = $"'{text}': the prefix length must be 8 to 30, got {prefix}";
            return null;
        }
        var value = ToUInt(address);
        if ((value & ~Mask(prefix)) != 0)
        {
            error = $"'{text}' has host bits set; the network is {FromUInt(value & Mask(prefix))}/{prefix}";
            return null;
        }
        return new AirSubnet(address, prefix);
    }

    /// <summary>The rig's address: the first host address.</summary>
    public IPAddress RigAddress => FromUInt(ToUInt(Network) + 1);

    /// <summary>First address DHCP hands out (the middle of the network).</summary>
    public IPAddress DhcpFirst => FromUInt(ToUInt(Network) + (Size / 2));

    /// <summary>Last address DHCP hands out (the one before broadcast).</summary>
    public IPAddress DhcpLast => FromUInt(ToUInt(Network) + Size - 2);

    /// <summary>The netmask in dotted form.</summary>
    public IPAddress Netmask => FromUInt(Mask(PrefixLength));

    /// <summary>True when <paramref name="address"/> lies in this network.</summary>
    public bool Contains(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        && (ToUInt(address) & Mask(PrefixLength)) == ToUInt(Network);

    /// <inheritdoc />
    public override string ToString() => $"{Network}/{PrefixLength}";

    private uint Size => 1u << (32 - PrefixLength);

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static IPAddress FromUInt(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
