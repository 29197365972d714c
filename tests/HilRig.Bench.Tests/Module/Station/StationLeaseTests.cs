using System.Net;
using HilRig.Bench.Module.Network.Station;

namespace HilRig.Bench.Tests.Module.Station;

public sealed class StationLeaseTests
{
    private const string Full = "interface=hs1a2b01s\nip=10.231.7.123\nmask=24\nserverid=10.231.7.1\nrouter=\ndns=10.231.7.1 10.231.7.2\nlease=3600\n";

    [Fact]
    public void TryParse_Reads_every_field_and_asks_the_first_DNS_server()
    {
        var lease = StationLease.TryParse(Full, out var error);

        Assert.Null(error);
        Assert.Equal(new StationLease("hs1a2b01s", IPAddress.Parse("10.231.7.123"), 24, IPAddress.Parse("10.231.7.1"), IPAddress.Parse("10.231.7.1"), 3600), lease);
        Assert.Equal("10.231.7.123/24 from 10.231.7.1, DNS 10.231.7.1", lease!.ToString());
    }

    [Fact]
    public void TryParse_Takes_the_router_as_the_server_When_the_lease_has_no_server_id()
    {
        var lease = StationLease.TryParse(Full.Replace("serverid=10.231.7.1", "serverid=", StringComparison.Ordinal).Replace("router=", "router=10.231.7.254", StringComparison.Ordinal), out _);

        Assert.Equal(IPAddress.Parse("10.231.7.254"), lease!.Server);
    }

    [Theory]
    [InlineData("dns=10.231.7.1 10.231.7.2", "dns=", "the lease names no DNS server")]
    [InlineData("ip=10.231.7.123", "ip=10", "ip '10' is not an IPv4 address")]
    [InlineData("mask=24", "mask=255.255.255.0", "mask '255.255.255.0' is not a prefix length (1 to 32)")]
    [InlineData("lease=3600", "lease=", "lease '' is not a number of seconds")]
    [InlineData("interface=hs1a2b01s", "interface=", "no interface")]
    public void TryParse_Names_the_field_When_it_is_missing_or_wrong(string field, string replacement, string expected)
    {
        var lease = StationLease.TryParse(Full.Replace(field, replacement, StringComparison.Ordinal), out var error);

        Assert.Null(lease);
        Assert.Equal(expected, error);
    }
}
