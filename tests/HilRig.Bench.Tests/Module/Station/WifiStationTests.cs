using System.Net;
using HilRig.Bench.Module.Network.Station;
using HilRig.Bench.Tests.Support;

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
}
