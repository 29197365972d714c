using HilRig.Core.Wifi;
using Xunit;

namespace HilRig.Core.Tests.Wifi;

public sealed class HostapdAirTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("hilrig-hostapd-air-").FullName;
    private readonly List<(string Kind, string Detail)> _log = [];

    private AirOptions Options(string interfaceName, AirSubnet? subnet = null, string? stationMac = null) => new()
    {
        BenchName = "pi-bench",
        HostNames = ["ota.hilrig.test", "mqtt.hilrig.test"],
        WorkDirectory = _work,
        Ssid = "HilRig-bench",
        Passphrase = "correct horse battery",
        Interface = interfaceName,
        Subnet = subnet,
        StationMac = stationMac,
        Log = (kind, detail) =>
        {
            lock (_log) _log.Add((kind, detail));
        },
    };

    private List<(string Kind, string Detail)> Logged(string kind)
    {
        lock (_log) return [.. _log.Where(l => l.Kind == kind)];
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string? FullUnavailable()
    {
        if (HostapdTestLink.Unavailable() is { } why) return why;
        if (Dnsmasq.FindBinary() is null) return "dnsmasq is not installed (./setup.sh pi installs dnsmasq-base)";
        return null;
    }

    private bool NothingRuns() =>
        HostapdTestLink.ProcessesWith(Path.Combine(_work, "hostapd.conf")).Count == 0
        && HostapdTestLink.ProcessesWith(Path.Combine(_work, "dnsmasq.conf")).Count == 0;

    [Fact]
    public void Unavailable_names_a_missing_interface()
    {
        Assert.SkipWhen(HostapdControl.FindHostapd() is null || Dnsmasq.FindBinary() is null, "hostapd and dnsmasq are not installed (./setup.sh pi)");

        Assert.Equal("there is no network interface 'wlan-nothere' on this machine (`ip link` lists them)", HostapdAir.Unavailable("wlan-nothere"));
        Assert.Equal("'wlan-nonexistent' is longer than an interface name can be (15 characters)", HostapdAir.Unavailable("wlan-nonexistent"));
    }

    [Fact]
    public void Unavailable_refuses_an_interface_that_is_not_WiFi()
    {
        Assert.SkipWhen(HostapdControl.FindHostapd() is null || Dnsmasq.FindBinary() is null, "hostapd and dnsmasq are not installed (./setup.sh pi)");

        var why = HostapdAir.Unavailable("lo");

        Assert.Equal(Environment.IsPrivilegedProcess
            ? "'lo' is not a WiFi interface (no phy80211): give the one whose adapter can be an access point"
            : "an access point needs root (hostapd, dnsmasq and the interface's address)", why);
    }

    [Fact]
    public void A_bad_option_is_refused_naming_the_field()
    {
        var options = Options("wlan0") with { Passphrase = "short" };

        var error = Assert.Throws<ArgumentException>(() => new HostapdAir(options));

        Assert.StartsWith("access point option passphrase: a WPA2 passphrase must be 8 to 63 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_on_a_missing_interface_fails_with_one_line_and_leaves_nothing_running()
    {
        var token = TestContext.Current.CancellationToken;
        await using var air = new HostapdAir(Options("wlan-nothere", AirSubnet.TryParse("10.231.250.0/24", out _)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => air.StartAsync(token));

        Assert.Equal("access point: there is no network interface 'wlan-nothere' on this machine (`ip link` lists them)", error.Message);
        Assert.False(air.HostapdRunning);
        Assert.False(air.DnsmasqRunning);
        Assert.True(NothingRuns());
    }

    [Fact]
    public async Task Start_with_the_radio_driver_on_an_interface_without_a_radio_fails_with_hostapds_words_and_undoes_the_address()
    {
        var unavailable = FullUnavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? "");
        var token = TestContext.Current.CancellationToken;
        using var link = new HostapdTestLink();
        await using var air = new HostapdAir(Options(link.Interface));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => air.StartAsync(token));

        Assert.StartsWith($"hostapd on {link.Interface} failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("nl80211", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain(_work, error.Message, StringComparison.Ordinal);
        Assert.False(air.HostapdRunning);
        Assert.False(air.DnsmasqRunning);
        Assert.True(NothingRuns());
        Assert.DoesNotContain(air.RigAddress.ToString(), HostapdTestLink.Ip("-4", "addr", "show", "dev", link.Interface), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wired_access_point_serves_DHCP_and_its_faults_reach_hostapd()
    {
        var unavailable = FullUnavailable() ?? (File.Exists("/usr/sbin/udhcpc") ? null : "udhcpc is not installed (./setup.sh network)");
        Assert.SkipWhen(unavailable is not null, unavailable ?? "");
        var token = TestContext.Current.CancellationToken;
        using var link = new HostapdTestLink();
        var air = new HostapdAir(Options(link.Interface), HostapdConfig.WiredDriver);
        try
        {
            await air.StartAsync(token);

            Assert.True(air.HostapdRunning);
            Assert.True(air.DnsmasqRunning);
            Assert.Empty(air.StationCommandPrefix);
            Assert.Null(air.StationInterface);
            Assert.Equal($"access point 'HilRig-bench' on {link.Interface} (hostapd, wired) {air.RigAddress}/24", air.Description);
            Assert.Contains($"inet {air.RigAddress}/24", HostapdTestLink.Ip("-4", "addr", "show", "dev", link.Interface), StringComparison.Ordinal);
            Assert.Contains(Logged("hostapd"), l => l.Detail == $"{link.Interface}: AP-ENABLED");
            var control = air.Control!;

            var none = await Assert.ThrowsAsync<InvalidOperationException>(() => air.DropStationAsync("test", token));
            Assert.Equal($"no station to deauthenticate on {link.Interface}: the wiring gives no station MAC and dnsmasq has leased no address yet", none.Message);

            // A DHCP client on the other end of the link: dnsmasq leases it an address, and the air learns its MAC.
            var mac = StationMacOf(link);
            // -s /bin/true: the lease is what counts here; the client's end keeps no address.
            var (code, stdout, stderr) = await AirTestSupport.RunAsync("ip", "netns", "exec", link.Namespace, "udhcpc", "-i", link.Peer, "-n", "-q", "-f", "-t", "5", "-T", "1", "-s", "/bin/true");
            Assert.True(code == 0, $"udhcpc got no lease: {stdout} {stderr}");
            var lease = Assert.Single(air.Leases());
            Assert.Equal(mac, lease.Mac);
            Assert.True(air.Subnet.Contains(lease.Address));

            await air.DropStationAsync("at 50% of the download", token);
            Assert.Equal($"station {mac} deauthenticated by hostapd on {link.Interface}: at 50% of the download", Assert.Single(Logged("wifi-deauth")).Detail);

            await air.RefuseAssociationAsync(true, "the scenario says so", token);
            Assert.True(air.Refusing);
            Assert.Equal([mac], await control.DeniedAsync(token));
            Assert.Equal($"access point 'HilRig-bench' refuses station {mac} (hostapd deny list): the scenario says so", Assert.Single(Logged("wifi-refuse")).Detail);
            Assert.Equal(2, Logged("wifi-deauth").Count);
            await air.RefuseAssociationAsync(false, "after 10 s", token);
            Assert.False(air.Refusing);
            Assert.Empty(await control.DeniedAsync(token));
            Assert.Equal($"access point 'HilRig-bench' admits station {mac} again: after 10 s", Assert.Single(Logged("wifi-admit")).Detail);

            await air.AccessPointDownAsync("for 30 s", token);
            Assert.False(air.AccessPointUp);
            Assert.Equal("DISABLED", (await control.StatusAsync(token))["state"]);
            Assert.Single(Logged("wifi-ap-down"));
            await air.AccessPointUpAsync(token);
            Assert.True(air.AccessPointUp);
            Assert.Equal("ENABLED", (await control.StatusAsync(token))["state"]);
            Assert.Single(Logged("wifi-ap-up"));

            await air.StopDnsmasqAsync();
            Assert.False(air.DnsmasqRunning);
            Assert.True(air.HostapdRunning);
            await air.StartAsync(token);
            Assert.True(air.DnsmasqRunning);
        }
        finally
        {
            await air.DisposeAsync();
        }

        Assert.False(air.HostapdRunning);
        Assert.False(air.DnsmasqRunning);
        Assert.True(NothingRuns());
        Assert.DoesNotContain(air.RigAddress.ToString(), HostapdTestLink.Ip("-4", "addr", "show", "dev", link.Interface), StringComparison.Ordinal);
        Assert.Contains(Logged("air"), l => l.Detail == $"access point on {link.Interface} stopped");
    }

    private static string StationMacOf(HostapdTestLink link) =>
        HostapdTestLink.Ip("netns", "exec", link.Namespace, "cat", $"/sys/class/net/{link.Peer}/address").Trim().ToLowerInvariant();
}
