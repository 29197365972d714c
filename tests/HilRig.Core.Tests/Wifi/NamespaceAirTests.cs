using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using DnsClient;
using HilRig.Core.Wifi;
using Xunit;
using static HilRig.Core.Tests.Wifi.AirTestSupport;

namespace HilRig.Core.Tests.Wifi;

/// <summary>
/// The network double on this machine (root only: each test skips with the reason otherwise). Every double has its
/// own namespace and its own free /24, so the tests run beside each other and beside other rigs.
/// </summary>
public sealed class NamespaceAirTests : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Kind, string Detail)> _log = new();
    private readonly List<(NamespaceAir Air, AirOptions Options)> _made = [];

    private async Task<(NamespaceAir Air, AirOptions Options)> CreateAsync(AirSubnet? subnet = null)
    {
        SkipUnlessAvailable();
        var options = Options(_log, subnet);
        var air = await NamespaceAir.CreateAsync(options, TestContext.Current.CancellationToken);
        _made.Add((air, options));
        return (air, options);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var (air, options) in _made)
        {
            await air.DisposeAsync();
            Clean(options);
        }
    }

    [Fact]
    public async Task CreateAsync_Makes_Namespace_Veth_And_Dnsmasq_When_Root()
    {
        var (air, options) = await CreateAsync();

        Assert.Matches($"^hilrig-{Environment.ProcessId}-[0-9]+$", air.Namespace);
        Assert.True(File.Exists($"/run/netns/{air.Namespace}"), "no namespace file");
        Assert.True(air.RigInterface.Length <= 15 && air.StationInterface.Length <= 15, $"{air.RigInterface} / {air.StationInterface} too long for an interface name");
        Assert.True(AirSubnetPicker.Block.Contains(air.RigAddress), $"{air.RigAddress} is not under {AirSubnetPicker.Block}");
        Assert.Equal(24, air.PrefixLength);
        var rigAddresses = await RunAsync("ip", "-4", "-o", "addr", "show", "dev", air.RigInterface);
        Assert.Contains($"inet {air.RigAddress}/24", rigAddresses.Stdout, StringComparison.Ordinal);
        var station = await RunAsync([.. air.StationCommandPrefix, "ip", "-o", "link", "show", "dev", air.StationInterface]);
        Assert.True(station.ExitCode == 0, $"the station end is not in the namespace: {station.Stderr}");
        Assert.Equal("1", await CarrierAsync(air));
        Assert.False(Directory.Exists($"/sys/class/net/{air.StationInterface}"), "the station end is in the root namespace");
        Assert.True(air.DnsmasqRunning);
        Assert.True(File.Exists(air.DnsmasqLog));
        Assert.Equal($"network double {air.Namespace}: veth {air.RigInterface} {air.RigAddress}/24", air.Description);
        var accessPoint = Assert.Single(AirFile(options));
        Assert.Equal(("hilrig-bench", "correct horse battery", false), (accessPoint.Ssid, accessPoint.Passphrase, accessPoint.Refused));
        Assert.Contains(_log, l => l.Kind == "air" && l.Detail.Contains("dnsmasq pid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Namespace_Has_No_Route_Out_When_Created()
    {
        var (air, _) = await CreateAsync();

        var defaults = await RunAsync([.. air.StationCommandPrefix, "ip", "-4", "route", "show", "default"]);
        Assert.Equal(0, defaults.ExitCode);
        Assert.Equal("", defaults.Stdout);
        // A route lookup asks the namespace's kernel only: nothing is sent.
        var outside = await RunAsync([.. air.StationCommandPrefix, "ip", "route", "get", "192.0.2.1"]);
        Assert.NotEqual(0, outside.ExitCode);
        Assert.Contains("unreachable", outside.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DhcpClient_In_Namespace_Gets_A_Lease_In_The_Subnet_That_Leases_Shows()
    {
        var (air, options) = await CreateAsync();
        var record = Path.Combine(options.WorkDirectory, "udhcpc.lease");
        var script = Path.Combine(options.WorkDirectory, "udhcpc.script");
        // What a real client's script does with the lease (address, and a default route only when given a router),
        // and the record the test reads.
        await File.WriteAllTextAsync(script, $"""
            #!/bin/sh
            if [ "$1" = bound ]; then
              ip addr add "$ip/$mask" dev "$interface"
              if [ -n "$router" ]; then ip route add default via "$router"; fi
              echo "$ip $mask router=$router dns=$dns" > '{record}'
            fi
            exit 0

            """, TestContext.Current.CancellationToken);
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var client = await RunAsync([.. air.StationCommandPrefix, "udhcpc", "-i", air.StationInterface, "-f", "-q", "-n", "-t", "5", "-T", "1", "-s", script]);

        Assert.True(client.ExitCode == 0, $"udhcpc got no lease: {client.Stderr}");
        var fields = (await File.ReadAllTextAsync(record, TestContext.Current.CancellationToken)).Split(' ');
        var leased = IPAddress.Parse(fields[0]);
        Assert.True(air.Subnet.Contains(leased), $"{leased} is not in {air.Subnet}");
        Assert.Equal("24", fields[1]);
        Assert.Equal("router=", fields[2]);
        Assert.Equal($"dns={air.RigAddress}", fields[3].Trim());
        await WaitUntilAsync(() => Task.FromResult(air.Leases().Any(l => l.Address.Equals(leased))), $"{leased} in the lease file");
        var lease = air.Leases()[0];
        Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", lease.Mac);
        Assert.True(lease.Expires > DateTimeOffset.UtcNow, $"the lease ended already: {lease.Expires}");
        var defaults = await RunAsync([.. air.StationCommandPrefix, "ip", "-4", "route", "show", "default"]);
        Assert.Equal("", defaults.Stdout);
        // From inside the namespace, through the veth, as the module asks: busybox's nslookup at the DNS server of the lease.
        var lookup = await RunAsync([.. air.StationCommandPrefix, "busybox", "nslookup", "ota.hilrig.test", air.RigAddress.ToString()]);
        Assert.True(lookup.ExitCode == 0, $"nslookup failed: {lookup.Stdout} {lookup.Stderr}");
        Assert.Contains($"Address: {air.RigAddress}", lookup.Stdout.Split("Name:")[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dnsmasq_Answers_Configured_Names_With_The_Rig_Address_And_No_Other_Name()
    {
        var (air, _) = await CreateAsync();
        var dns = new LookupClient(new LookupClientOptions(new NameServer(air.RigAddress, 53))
        {
            UseCache = false,
            Retries = 2,
            Timeout = TimeSpan.FromSeconds(2),
            ThrowDnsErrors = false,
        });

        foreach (var name in (string[])["ota.hilrig.test", "vendor-a.hilrig.test", "OTA.hilrig.test"])
        {
            var answer = await dns.QueryAsync(name, QueryType.A, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal([air.RigAddress], answer.Answers.ARecords().Select(a => a.Address));
        }
        foreach (var name in (string[])["example.com", "unknown.hilrig.test", "cdn.ota.hilrig.test", "localhost"])
        {
            var answer = await dns.QueryAsync(name, QueryType.A, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Empty(answer.Answers.ARecords());
            Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, answer.Header.ResponseCode);
        }
        // A configured name has no IPv6 address, and says so without an error (NODATA), so a dual-stack client takes the A.
        var aaaa = await dns.QueryAsync("ota.hilrig.test", QueryType.AAAA, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((DnsHeaderResponseCode.NoError, 0), (aaaa.Header.ResponseCode, aaaa.Answers.Count));
    }

    [Fact]
    public async Task AccessPointDown_Drops_Carrier_And_Empties_Air_File_When_Up_Restores_Both()
    {
        var (air, options) = await CreateAsync();

        await air.AccessPointDownAsync("test", TestContext.Current.CancellationToken);

        Assert.Equal("0", await CarrierAsync(air));
        Assert.Empty(AirFile(options));
        Assert.False(air.AccessPointUp);
        Assert.Contains(_log, l => l.Kind == "wifi-ap-down" && l.Detail.EndsWith(": test", StringComparison.Ordinal));

        await air.AccessPointUpAsync(TestContext.Current.CancellationToken);

        Assert.Equal("1", await CarrierAsync(air));
        Assert.Equal("hilrig-bench", Assert.Single(AirFile(options)).Ssid);
        Assert.Contains(_log, l => l.Kind == "wifi-ap-up");
        Assert.True(air.DnsmasqRunning, "dnsmasq did not survive the access point's outage");
    }

    [Fact]
    public async Task DropStation_Takes_The_Carrier_Away_For_The_Deauthentication_Time()
    {
        var (air, options) = await CreateAsync();
        var started = DateTimeOffset.UtcNow;

        var drop = air.DropStationAsync("at 50%", TestContext.Current.CancellationToken);
        await WaitUntilAsync(async () => await CarrierAsync(air) == "0", "the station's carrier to drop");
        await drop;

        Assert.True(DateTimeOffset.UtcNow - started >= AirFaultTimes.Deauthenticated, "the link came back before the deauthentication time");
        Assert.Equal("1", await CarrierAsync(air));
        Assert.Single(AirFile(options));
        Assert.Contains(_log, l => l.Kind == "wifi-deauth" && l.Detail.EndsWith(": at 50%", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefuseAssociation_Marks_The_Access_Point_Refused_When_Lifted_Admits_Again()
    {
        var (air, options) = await CreateAsync();

        await air.RefuseAssociationAsync(true, "campaign", TestContext.Current.CancellationToken);

        Assert.True(Assert.Single(AirFile(options)).Refused);
        Assert.True(air.Refusing);
        Assert.Equal(["wifi-refuse", "wifi-deauth"], _log.Select(l => l.Kind).Where(k => k.StartsWith("wifi-", StringComparison.Ordinal)));
        Assert.Equal("1", await CarrierAsync(air));

        await air.RefuseAssociationAsync(false, "done", TestContext.Current.CancellationToken);

        Assert.False(Assert.Single(AirFile(options)).Refused);
        Assert.Contains(_log, l => l.Kind == "wifi-admit");
    }

    [Fact]
    public async Task StopDnsmasq_Stops_It_When_Start_Starts_It_Again()
    {
        var (air, _) = await CreateAsync();

        await air.StopDnsmasqAsync();
        Assert.False(air.DnsmasqRunning);

        await air.StartAsync(TestContext.Current.CancellationToken);
        Assert.True(air.DnsmasqRunning);
    }

    [Fact]
    public async Task DisposeAsync_Leaves_No_Namespace_And_No_Veth_When_Called_Twice()
    {
        var (air, options) = await CreateAsync();
        var dnsmasqPid = File.ReadAllText(Path.Combine(options.WorkDirectory, "dnsmasq.pid")).Trim();

        await air.DisposeAsync();
        await air.DisposeAsync();

        Assert.False(File.Exists($"/run/netns/{air.Namespace}"), "the namespace is left");
        Assert.False(Directory.Exists($"/sys/class/net/{air.RigInterface}"), "the rig end is left");
        var names = await RunAsync("ip", "netns", "list");
        Assert.DoesNotContain(air.Namespace, names.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{dnsmasqPid}") && File.ReadAllText($"/proc/{dnsmasqPid}/comm").Trim() == "dnsmasq", "dnsmasq still runs");
        Assert.False(air.DnsmasqRunning);
        Assert.Empty(AirFile(options));
    }

    [Fact]
    public async Task CreateAsync_Refuses_A_Subnet_The_Machine_Uses_With_One_Line()
    {
        SkipUnlessAvailable();
        var options = Options(_log, AirSubnet.TryParse("127.0.0.0/8", out _));
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NamespaceAir.CreateAsync(options, TestContext.Current.CancellationToken));

            Assert.Equal("the bench network 127.0.0.0/8 overlaps 127.0.0.0/8 of lo on this machine; pick another subnet", error.Message);
        }
        finally
        {
            Clean(options);
        }
    }

    [Fact]
    public async Task CreateAsync_Refuses_A_Host_Name_Dnsmasq_Would_Misread_With_One_Line()
    {
        SkipUnlessAvailable();
        var options = Options(_log) with { HostNames = ["ota.hilrig.test", "bad name"] };
        try
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => NamespaceAir.CreateAsync(options, TestContext.Current.CancellationToken));

            Assert.Equal("bench air-test: 'bad name' is not a host name (labels of letters, digits and '-' joined by dots, like ota.hilrig.test)", error.Message);
            Assert.Empty(_log);
        }
        finally
        {
            Clean(options);
        }
    }

    [Fact]
    public async Task SweepLeftovers_Removes_A_Dead_Rigs_Namespace_And_Keeps_A_Live_Ones()
    {
        SkipUnlessAvailable();
        var gone = await RunAsync("sh", "-c", "echo $$");
        var deadPid = int.Parse(gone.Stdout, CultureInfo.InvariantCulture);
        Assert.SkipWhen(Directory.Exists($"/proc/{deadPid}"), $"pid {deadPid} was taken again at once");
        var dead = $"hilrig-{deadPid}-1";
        var live = $"hilrig-{Environment.ProcessId}-sweeptest";
        try
        {
            Assert.Equal(0, (await RunAsync("ip", "netns", "add", dead)).ExitCode);
            Assert.Equal(0, (await RunAsync("ip", "netns", "add", live)).ExitCode);

            var swept = NamespaceAir.SweepLeftovers();

            Assert.True(swept >= 1, $"swept {swept}");
            Assert.False(File.Exists($"/run/netns/{dead}"), "the dead rig's namespace is left");
            Assert.True(File.Exists($"/run/netns/{live}"), "the live rig's namespace was deleted");
        }
        finally
        {
            await RunAsync("ip", "netns", "delete", dead);
            await RunAsync("ip", "netns", "delete", live);
        }
    }
}
