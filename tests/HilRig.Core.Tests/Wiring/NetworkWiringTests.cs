using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Wiring;

/// <summary>The <c>network:</c> section: what it gives the bench, and each rule it can break (file, line, column, rule).</summary>
public class NetworkWiringTests
{
    // A one-chip bench; lines 10.. are the network section.
    private const string Bench = WiringAssert.OneChipVirtualBench + """
        network:
          wifi: { ssid: hilrig-lab, passphrase: hilrig-pass, kib_per_s: 256 }
          device: { id: dev-0001, product: sim-chain }
          target: { id: hilrig-ota }
          vendors:
            - { id: acme }
            - { id: rival, ota_unit: true }
        """;

    private static BenchWiring Parse(string yaml) =>
        WiringLoader.Parse(yaml, WiringAssert.SourcePath, new WiringLoadOptions { CheckFilesExist = false });

    private static string With(string from, string to) => Bench.Replace(from, to, StringComparison.Ordinal);

    [Fact]
    public void The_network_section_gives_the_bench_its_servers_and_device()
    {
        var network = Parse(Bench).Network;
        Assert.NotNull(network);
        Assert.Equal(new WifiWiring("hilrig-lab", "hilrig-pass", 256), network.Wifi);
        Assert.Equal(("dev-0001", "sim-chain", "hilrig-ota"), (network.DeviceId, network.Product, network.TargetId));
        Assert.Equal([new VendorWiring("acme", false), new VendorWiring("rival", true)], network.Vendors);
        Assert.False(network.Broker.Mosquitto);
    }

    [Fact]
    public void Tls_is_off_unless_the_network_section_asks_for_it()
    {
        Assert.False(Parse(Bench).Network!.Tls);
        Assert.True(Parse(Bench + "\n  tls: true\n").Network!.Tls);
        Assert.False(Parse(Bench + "\n  tls: false\n").Network!.Tls);
    }

    [Fact]
    public void A_tls_value_other_than_true_or_false_is_refused()
    {
        WiringAssert.HasError(Bench + "\n  tls: yes\n", 17, 8, "'tls' must be true or false, got 'yes'");
    }

    [Fact]
    public void A_bench_without_a_network_section_has_no_servers()
    {
        Assert.Null(Parse(Bench[..Bench.IndexOf("network:", StringComparison.Ordinal)]).Network);
    }

    [Fact]
    public void A_vendor_listed_under_the_target_id_is_refused()
    {
        WiringAssert.HasError(With("- { id: acme }", "- { id: hilrig-ota }"), 15, 13,
            "server id 'hilrig-ota' is the target server's");
    }

    [Fact]
    public void The_brokers_can_be_mosquitto_processes()
    {
        Assert.True(Parse(Bench + "\n  broker: { kind: mosquitto }").Network!.Broker.Mosquitto);
    }

    [Fact]
    public void A_broker_elsewhere_is_not_a_choice()
    {
        WiringAssert.HasError(Bench + "\n  broker: { kind: external, host: 10.1.2.3 }", 17, 19,
            "must be one of embedded, mosquitto, got 'external'");
    }

    [Fact]
    public void A_bad_device_id_names_the_rule()
    {
        WiringAssert.HasError(With("id: dev-0001", "id: Dev_1"), 12, 17, "'id' 'Dev_1' must be 1 to 32 lower-case letters, digits and '-'");
    }

    [Fact]
    public void A_virtual_bench_with_a_network_needs_the_module_firmware()
    {
        WiringAssert.HasError(With("  factory_image: ../firmware-images/images/module-01-v2.0.0.hrim\n", ""), 10, 3,
            "needs module.factory_image");
    }

    [Fact]
    public void An_unknown_key_is_refused()
    {
        WiringAssert.HasError(With("  target: { id: hilrig-ota }", "  target: { id: hilrig-ota }\n  dns: 8.8.8.8"), 14, 3, "dns");
    }
}
