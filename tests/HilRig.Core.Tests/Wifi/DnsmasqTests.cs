using System.Collections.Concurrent;
using System.Net;
using HilRig.Core.Wifi;
using Xunit;
using static HilRig.Core.Tests.Wifi.AirTestSupport;

namespace HilRig.Core.Tests.Wifi;

/// <summary>dnsmasq's config, lease file and start failures; the failures on a real double (root only).</summary>
public sealed class DnsmasqTests
{
    private static readonly AirSubnet Bench = AirSubnet.TryParse("10.231.7.0/24", out _)!;

    private static DnsmasqOptions OptionsFor(string directory, string iface = "hra1a1", AirSubnet? subnet = null, params string[] names) => new()
    {
        Interface = iface,
        Subnet = subnet ?? Bench,
        HostNames = names.Length == 0 ? ["ota.hilrig.test", "vendor-a.hilrig.test"] : names,
        WorkDirectory = directory,
    };

    [Fact]
    public void ConfigFile_Answers_Each_Name_With_The_Rig_Address_And_Forwards_Nothing()
    {
        var options = OptionsFor("/work/bench");

        var lines = Dnsmasq.ConfigFile(options, new DnsmasqFiles("/work/bench")).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Equal(
            [
                "interface=hra1a1", "bind-interfaces", "listen-address=10.231.7.1", "except-interface=lo", "no-resolv", "no-hosts", "no-poll",
                "local=/#/", "port=53", "dhcp-range=10.231.7.128,10.231.7.254,255.255.255.0,600", "dhcp-authoritative", "dhcp-option=3",
                "dhcp-option=6,10.231.7.1", "host-record=ota.hilrig.test,10.231.7.1", "host-record=vendor-a.hilrig.test,10.231.7.1",
                "dhcp-leasefile=/work/bench/dnsmasq.leases", "pid-file=/work/bench/dnsmasq.pid", "log-facility=/work/bench/dnsmasq.log",
                "log-dhcp", "log-queries",
            ],
            lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("server=", StringComparison.Ordinal) || l.StartsWith("address=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ota.hilrig.test\nserver=8.8.8.8", "'ota.hilrig.test\nserver=8.8.8.8' is not a host name (labels of letters, digits and '-' joined by dots, like ota.hilrig.test)")]
    [InlineData("-ota.test", "'-ota.test' is not a host name (labels of letters, digits and '-' joined by dots, like ota.hilrig.test)")]
    [InlineData("ota..test", "'ota..test' is not a host name (labels of letters, digits and '-' joined by dots, like ota.hilrig.test)")]
    public void Problem_Names_A_Host_Name_Dnsmasq_Would_Misread(string name, string expected)
    {
        Assert.Equal(expected, Dnsmasq.Problem(OptionsFor("/tmp", names: name)));
    }

    [Fact]
    public void Problem_Names_An_Interface_That_Is_No_Interface_Name()
    {
        Assert.Equal("'wlan0 extra' is not a network interface name (1 to 15 letters, digits, '-', '_', '.')", Dnsmasq.Problem(OptionsFor("/tmp", iface: "wlan0 extra")));
        Assert.Null(Dnsmasq.Problem(OptionsFor("/tmp", iface: "wlx00c0ca123456")));
    }

    [Fact]
    public void ParseLeases_Reads_Each_IPv4_Lease_Newest_First_When_Lines_Are_Mixed()
    {
        var text = """
            1796450453 ca:d8:75:e1:eb:2f 10.231.9.197 * 01:ca:d8:75:e1:eb:2f
            1796450999 AA:BB:CC:DD:EE:01 10.231.9.130 esp-module 01:aa:bb:cc:dd:ee:01
            duid 00:01:00:01:2c:3d:4e:5f:aa:bb:cc:dd:ee:ff
            1796451000 aa:bb
            """;

        var leases = Dnsmasq.ParseLeases(text);

        Assert.Equal(2, leases.Count);
        Assert.Equal(new AirLease("aa:bb:cc:dd:ee:01", IPAddress.Parse("10.231.9.130"), "esp-module", DateTimeOffset.FromUnixTimeSeconds(1796450999)), leases[0]);
        Assert.Equal(new AirLease("ca:d8:75:e1:eb:2f", IPAddress.Parse("10.231.9.197"), null, DateTimeOffset.FromUnixTimeSeconds(1796450453)), leases[1]);
    }

    [Fact]
    public void ReadLeases_Is_Empty_When_There_Is_No_Lease_File_Yet()
    {
        Assert.Empty(Dnsmasq.ReadLeases(Path.Combine(Path.GetTempPath(), $"hilrig-no-such-{Guid.NewGuid():N}", "dnsmasq.leases")));
    }

    [Fact]
    public async Task StartAsync_Fails_With_Dnsmasqs_Line_When_Port_53_Is_Taken()
    {
        SkipUnlessAvailable();
        var log = new ConcurrentQueue<(string, string)>();
        var options = Options(log);
        var air = await NamespaceAir.CreateAsync(options, TestContext.Current.CancellationToken);
        var second = Directory.CreateTempSubdirectory("hilrig-dnsmasq-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Dnsmasq.StartAsync(OptionsFor(second, air.RigInterface, air.Subnet), TestContext.Current.CancellationToken));

            Assert.Equal($"dnsmasq on {air.RigInterface} ({air.RigAddress}) did not start: failed to create listening socket for {air.RigAddress}: Address already in use", error.Message);
            Assert.True(air.DnsmasqRunning, "the first dnsmasq was disturbed");
        }
        finally
        {
            await air.DisposeAsync();
            Clean(options);
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_Fails_With_Dnsmasqs_Line_When_The_Address_Is_Not_On_The_Machine()
    {
        SkipUnlessAvailable();
        var log = new ConcurrentQueue<(string, string)>();
        var options = Options(log);
        var air = await NamespaceAir.CreateAsync(options, TestContext.Current.CancellationToken);
        var second = Directory.CreateTempSubdirectory("hilrig-dnsmasq-").FullName;
        // A network no address of the machine lies in: dnsmasq cannot bind its rig address.
        var elsewhere = AirSubnetPicker.Pick(AirSubnetPicker.MachineAddresses());
        try
        {
            // dnsmasq binds the interface's own address too: the double's dnsmasq must not hold it.
            await air.StopDnsmasqAsync();

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Dnsmasq.StartAsync(OptionsFor(second, air.RigInterface, elsewhere), TestContext.Current.CancellationToken));

            Assert.Equal($"dnsmasq on {air.RigInterface} ({elsewhere.RigAddress}) did not start: failed to create listening socket for {elsewhere.RigAddress}: Cannot assign requested address", error.Message);
            Assert.DoesNotContain(second, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await air.DisposeAsync();
            Clean(options);
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public async Task StartAsync_Fails_With_One_Line_When_The_Interface_Does_Not_Exist()
    {
        SkipUnlessAvailable();
        var directory = Directory.CreateTempSubdirectory("hilrig-dnsmasq-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Dnsmasq.StartAsync(OptionsFor(directory, "hrnosuch0"), TestContext.Current.CancellationToken));

            Assert.Equal("dnsmasq on hrnosuch0 (10.231.7.1) cannot start: there is no interface hrnosuch0 on this machine", error.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
