using System.Net;
using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Wiring;

/// <summary><c>network: air:</c>, <c>names:</c> and what a hardware bench's own module needs (docs/wiring.md "The bench network").</summary>
public class AirWiringTests
{
    private const string Virtual = WiringAssert.OneChipVirtualBench + """
        network:
          wifi: { ssid: hilrig-lab, passphrase: hilrig-pass }
          device: { id: dev-0001, product: air }
          target: { id: hilrig-ota }
          vendors:
            - { id: acme }
        """;

    private const string Hardware = """
        bench: air-hw
        kind: hardware
        module:
          power: { kind: command, on: "true", off: "true" }
        chips:
          - { name: chip1, model_id: 0x11, power: { kind: command, on: "true", off: "true" } }
        links:
          - { from: module, to: chip1, baud: 115200, rig: relay, near: /dev/ttyUSB0, far: /dev/ttyUSB1 }
        network:
          wifi: { ssid: hilrig-lab, passphrase: hilrig-pass }
          target: { id: hilrig-ota }
          vendors:
            - { id: acme }
        """;

    private static BenchWiring Parse(string yaml) =>
        WiringLoader.Parse(yaml, WiringAssert.SourcePath, new WiringLoadOptions { CheckFilesExist = false });

    private static string Errors(string yaml) =>
        Assert.Throws<WiringException>(() => WiringLoader.Parse(yaml, WiringAssert.SourcePath, new WiringLoadOptions { CheckFilesExist = false })).Message;

    [Fact]
    public void The_network_double_with_names_gives_each_server_its_host_and_port()
    {
        var network = Parse(Virtual + "\n  air: { kind: netns, subnet: 10.231.9.0/24 }\n  names: { hilrig-ota: ota.example.test:8883, acme: acme.example.test }\n").Network!;
        Assert.Equal(AirKind.Netns, network.Air!.Kind);
        Assert.Equal(IPAddress.Parse("10.231.9.1"), network.Air.Subnet!.RigAddress);
        Assert.Equal(new ServerName("ota.example.test", 8883), network.NameOf("hilrig-ota"));
        Assert.Equal(new ServerName("acme.example.test", 0), network.NameOf("acme"));
    }

    [Fact]
    public void Without_names_every_server_is_its_id_under_hilrig_test()
    {
        var network = Parse(Virtual + "\n  air: { kind: netns }\n").Network!;
        Assert.Null(network.Air!.Subnet);
        Assert.Equal(new ServerName("acme.hilrig.test", 0), network.NameOf("acme"));
        Assert.Null(Parse(Virtual).Network!.Air);
    }

    [Theory]
    [InlineData("  air: { kind: netns, subnet: 10.231.9.1/24 }", "has host bits set")]
    [InlineData("  air: { kind: netns, subnet: 10.231.9.0/33 }", "must be 8 to 30")]
    [InlineData("  air: { kind: wifi }", "'kind'")]
    [InlineData("  air: { kind: netns, interface: wlan0 }", "'interface' is for a Pi's access point")]
    [InlineData("  air: { kind: hostapd, interface: wlan0, subnet: 10.77.0.0/24 }", "a virtual bench's emulated module lives in the network double")]
    [InlineData("  air: { kind: link, interface: hrd0 }", "'kind: link' serves a module on an interface outside the rig")]
    [InlineData("  names: { acme: acme.example.test:99999 }", "the port after ':' must be 1 to 65535")]
    [InlineData("  names: { acme: 'bad name' }", "is not a host name")]
    [InlineData("  names: { nobody: x.example.test }", "nobody")]
    public void A_wrong_air_or_names_entry_is_refused_with_what_is_wrong(string line, string fragment)
    {
        var message = Errors(Virtual + "\n" + line + "\n");
        Assert.Contains(fragment, message, StringComparison.Ordinal);
        Assert.StartsWith(WiringAssert.SourcePath + ":", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hardware_benchs_own_module_needs_a_bench_network_its_secret_and_its_ports()
    {
        var message = Errors(Hardware);
        Assert.Contains("add network.air", message, StringComparison.Ordinal);
        Assert.Contains("give network.device.secret", message, StringComparison.Ordinal);
        Assert.Contains("give network.names.hilrig-ota as host:port", message, StringComparison.Ordinal);
        Assert.Contains("give network.names.acme as host:port", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hardware_benchs_own_module_on_a_pi_access_point_parses_with_its_firmwares_credentials()
    {
        var yaml = Hardware.Replace("  target: { id: hilrig-ota }", "  device: { id: dev-0001, product: hw, secret: test-build-secret-0001 }\n  target: { id: hilrig-ota }", StringComparison.Ordinal)
            + "\n  air: { kind: hostapd, interface: wlan0, subnet: 10.77.0.0/24, country: DE }\n  names: { hilrig-ota: ota.example.test:8883, acme: acme.example.test:8884 }\n";
        var network = Parse(yaml).Network!;
        Assert.Equal(("test-build-secret-0001", AirKind.Hostapd, "wlan0", "DE"), (network.DeviceSecret, network.Air!.Kind, network.Air.Interface, network.Air.Country));
    }

    [Fact]
    public void What_hostapd_would_refuse_is_named_at_the_air_entry()
    {
        var yaml = Hardware.Replace("hilrig-pass", "short", StringComparison.Ordinal).Replace("  target: { id: hilrig-ota }", "  device: { id: dev-0001, product: hw, secret: test-build-secret-0001 }\n  target: { id: hilrig-ota }", StringComparison.Ordinal)
            + "\n  air: { kind: hostapd, interface: wlan0, subnet: 10.77.0.0/24 }\n  names: { hilrig-ota: ota.example.test:8883, acme: acme.example.test:8884 }\n";
        Assert.Contains("the access point (hostapd) cannot use this passphrase", Errors(yaml), StringComparison.Ordinal);
    }
}
