using System.Globalization;
using System.Net;

namespace HilRig.Bench.Module.Network.Station;

/// <summary>What the station's DHCP lease gave it (udhcpc's <c>bound</c>/<c>renew</c> event, recorded by <see cref="UdhcpcScript"/>).</summary>
/// <param name="Interface">The interface the lease is on.</param>
/// <param name="Address">The station's address.</param>
/// <param name="PrefixLength">Its prefix length (24 for 255.255.255.0).</param>
/// <param name="Server">The DHCP server that handed it out (its server id; the router or the DNS server when it sent none).</param>
/// <param name="DnsServer">The first DNS server the lease names: every name the module looks up is asked there.</param>
/// <param name="LeaseSeconds">How long the lease holds.</param>
public sealed record StationLease(string Interface, IPAddress Address, int PrefixLength, IPAddress Server, IPAddress DnsServer, int LeaseSeconds)
{
    /// <summary>"10.231.7.123/24 from 10.231.7.1, DNS 10.231.7.1".</summary>
    public override string ToString() => $"{Address}/{PrefixLength} from {Server}, DNS {DnsServer}";

    /// <summary>
    /// Reads the lease file <see cref="UdhcpcScript"/> writes (one <c>name=value</c> a line: interface, ip, mask,
    /// serverid, router, dns, lease, as udhcpc passes them); null with <paramref name="error"/> naming the field that is
    /// missing or wrong.
    /// </summary>
    public static StationLease? TryParse(string text, out string? error)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }
        string Field(string name) => fields.TryGetValue(name, out var v) ? v : "";
        var iface = Field("interface");
        if (iface.Length == 0)
        {
            error = "no interface";
            return null;
        }
        if (!TryAddress(Field("ip"), out var address))
        {
            error = $"ip '{Field("ip")}' is not an IPv4 address";
            return null;
        }
        if (!int.TryParse(Field("mask"), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix is < 1 or > 32)
        {
            error = $"mask '{Field("mask")}' is not a prefix length (1 to 32)";
            return null;
        }
        // udhcpc passes every DNS server of the lease, separated by spaces; the first is asked.
        var dnsText = Field("dns").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (!TryAddress(dnsText, out var dns))
        {
            error = dnsText.Length == 0 ? "the lease names no DNS server" : $"dns '{dnsText}' is not an IPv4 address";
            return null;
        }
        var serverText = new[] { Field("serverid"), Field("router").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "" }
            .FirstOrDefault(s => s.Length > 0);
        var server = serverText is not null && TryAddress(serverText, out var s) ? s : dns;
        if (!int.TryParse(Field("lease"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            error = $"lease '{Field("lease")}' is not a number of seconds";
            return null;
        }
        error = null;
        return new StationLease(iface, address, prefix, server, dns, seconds);
    }

    private static bool TryAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Count(c => c == '.') != 3 || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }
        address = parsed;
        return true;
    }
}
