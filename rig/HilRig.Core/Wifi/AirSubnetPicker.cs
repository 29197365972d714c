using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace HilRig.Core.Wifi;

/// <summary>One IPv4 address of the machine, as the network it lies in.</summary>
/// <param name="Interface">The interface that holds it.</param>
/// <param name="Subnet">Its network (address with the host bits cleared, and prefix length).</param>
public sealed record MachineAddress(string Interface, AirSubnet Subnet);

/// <summary>
/// Picks the double's bench network: a /24 under 10.231.0.0/16 that no address of the machine lies in or covers
/// (the rig ends of other rigs' doubles included: they sit in the root namespace).
/// </summary>
public static partial class AirSubnetPicker
{
    /// <summary>The block the double's networks come from (10.231.0.0/16, private, RFC 1918).</summary>
    public static readonly AirSubnet Block = new(IPAddress.Parse("10.231.0.0"), 16);

    /// <summary>
    /// A free /24 of <see cref="Block"/> given the machine's <paramref name="addresses"/>, starting at a random one
    /// so that two rigs starting together seldom pick the same. Throws <see cref="InvalidOperationException"/> when all 256 are used.
    /// </summary>
    public static AirSubnet Pick(IReadOnlyList<MachineAddress> addresses, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var start = (random ?? Random.Shared).Next(256);
        for (var i = 0; i < 256; i++)
        {
            var third = (byte)((start + i) % 256);
            var candidate = new AirSubnet(new IPAddress([10, 231, third, 0]), 24);
            if (!addresses.Any(a => Overlaps(a.Subnet, candidate))) return candidate;
        }
        throw new InvalidOperationException($"no free /24 left in {Block}: every one overlaps an address of this machine (`ip -4 addr`); give the bench a subnet");
    }

    /// <summary>True when the two networks share an address.</summary>
    public static bool Overlaps(AirSubnet a, AirSubnet b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Contains(b.Network) || b.Contains(a.Network);
    }

    /// <summary>The IPv4 addresses of the machine's root namespace (<c>ip -4 -o addr</c>).</summary>
    public static IReadOnlyList<MachineAddress> MachineAddresses()
    {
        if (AirCommand.Ip is not { } ip) return [];
        var result = AirCommand.RunAsync([ip, "-4", "-o", "addr", "show"], CancellationToken.None).GetAwaiter().GetResult();
        if (result.ExitCode != 0) throw new InvalidOperationException($"`ip -4 -o addr show` failed: {result.FirstLine}");
        return ParseAddresses(result.Stdout);
    }

    /// <summary>Parses <c>ip -4 -o addr</c>: "4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\ ...", one address a line.</summary>
    public static IReadOnlyList<MachineAddress> ParseAddresses(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<MachineAddress>();
        foreach (var line in text.Split('\n'))
        {
            if (AddressLine().Match(line) is not { Success: true } m || !IPAddress.TryParse(m.Groups["address"].Value, out var address)) continue;
            var prefix = int.Parse(m.Groups["prefix"].Value, CultureInfo.InvariantCulture);
            if (prefix > 32) continue;
            var bytes = address.GetAddressBytes();
            var value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
            var mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
            value &= mask;
            var network = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
            found.Add(new MachineAddress(m.Groups["interface"].Value, new AirSubnet(network, prefix)));
        }
        return found;
    }

    [GeneratedRegex(@"^\d+:\s+(?<interface>[^\s@]+)\S*\s+inet\s+(?<address>[0-9.]+)/(?<prefix>\d{1,2})\b")]
    private static partial Regex AddressLine();
}
