using System.Net;
using System.Net.Sockets;
using HilRig.Bench.Module.Network.Station;

namespace HilRig.Bench.Tests.Module.Station;

/// <summary>What the station does without a network namespace; the namespace tests are in HilRig.Cli.Tests (BenchStationCommandTests).</summary>
public sealed class WifiStationTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<string> _log = [];

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("eth0", true)]
    [InlineData("hs1a2b01s", true)]
    [InlineData("a-very-long-name-0", false)]
    [InlineData("../etc", false)]
    [InlineData("", false)]
    public void InterfaceProblem_Accepts_Linux_interface_names_only(string name, bool accepted) =>
        Assert.Equal(accepted, WifiStation.InterfaceProblem(name) is null);

    [Fact]
    public async Task ResolveAsync_Returns_an_IP_literal_itself_Without_asking_anyone()
    {
        var station = new WifiStation("hsnone0", _folder.Path, _log.Add);

        Assert.Equal(IPAddress.Parse("10.231.7.1"), await station.ResolveAsync("10.231.7.1", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ResolveAsync_Says_there_is_no_lease_When_the_station_has_not_joined()
    {
        var station = new WifiStation("hsnone0", _folder.Path, _log.Add);

        var ex = await Assert.ThrowsAsync<StationException>(() => station.ResolveAsync("ota.hilrig.test", TestContext.Current.CancellationToken));

        Assert.Equal("name ota.hilrig.test cannot be looked up: the station on hsnone0 has no DHCP lease", ex.Message);
    }

    [Fact]
    public async Task JoinAsync_Says_the_interface_is_missing_When_it_is_not_in_this_namespace()
    {
        var station = new WifiStation("hsnone0", _folder.Path, _log.Add);

        var ex = await Assert.ThrowsAsync<StationException>(() => station.JoinAsync(TestContext.Current.CancellationToken));

        Assert.Equal("there is no interface hsnone0 here (is this the module's network namespace?)", ex.Message);
    }

    [Fact]
    public async Task WaitForLinkLossAsync_Completes_at_once_When_the_interface_has_no_carrier()
    {
        var station = new WifiStation("hsnone0", _folder.Path, _log.Add);

        await station.WaitForLinkLossAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.False(station.HasCarrier);
    }

    /// <summary>
    /// A station that never joined (here: outside the module's namespace, where its interface is missing) holds no
    /// address and must abort no connection: once it ran <c>ss -K</c> with no filter, and as root that reset every
    /// established TCP connection of the machine (other test processes' loopback HTTP calls failed with ECONNRESET).
    /// </summary>
    [Fact]
    public async Task LeaveAsync_Leaves_the_machines_own_connections_alone_When_the_station_holds_no_lease()
    {
        var token = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, token);
        using var server = await listener.AcceptTcpClientAsync(token);
        var station = new WifiStation("hsnone0", _folder.Path, _log.Add);

        await station.LeaveAsync();

        await client.GetStream().WriteAsync(new byte[] { 0x42 }, token);
        var read = new byte[1];
        Assert.Equal(1, await server.GetStream().ReadAsync(read, token));
        Assert.Equal(0x42, read[0]);
        Assert.Empty(_log);
    }
}
