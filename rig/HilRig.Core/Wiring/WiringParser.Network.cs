using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace HilRig.Core.Wiring;

internal sealed partial class WiringParser
{
    private static readonly string[] NetworkKeys = ["wifi", "device", "target", "vendors", "broker", "gateway", "tls"];
    private static readonly string[] GatewayKeys = ["logical_nodes", "capacity", "version"];
    private static readonly string[] WifiKeys = ["ssid", "passphrase", "kib_per_s"];
    private static readonly string[] DeviceKeys = ["id", "product"];
    private static readonly string[] TargetKeys = ["id"];
    private static readonly string[] VendorKeys = ["id", "ota_unit"];
    private static readonly string[] BrokerKeys = ["kind"];
    private static readonly string[] BrokerKinds = ["embedded", "mosquitto"];

    private void ParseNetwork(YamlNode node)
    {
        var map = YamlMap.From(node, "network: ", $"must be a mapping with keys {string.Join(", ", NetworkKeys)}", errors);
        if (map is null)
        {
            return;
        }
        map.RejectUnknownKeys(NetworkKeys);
        var wifi = new WifiWiring("hilrig-lab", "hilrig-pass", 0);
        if (map.Require("wifi") is { } wifiNode && YamlMap.From(wifiNode, "network.wifi: ", "must be a mapping with keys ssid, passphrase, kib_per_s", errors) is { } w)
        {
            w.RejectUnknownKeys(WifiKeys);
            var ssid = w.String("ssid", required: true) ?? wifi.Ssid;
            if (System.Text.Encoding.UTF8.GetByteCount(ssid) is < 1 or > 32)
            {
                w.Error(w.Get("ssid")!, $"'ssid' must be 1 to 32 bytes, got '{ssid}'");
            }
            var passphrase = w.String("passphrase", required: true) ?? wifi.Passphrase;
            if (System.Text.Encoding.UTF8.GetByteCount(passphrase) > 63)
            {
                w.Error(w.Get("passphrase")!, "'passphrase' must be at most 63 bytes");
            }
            var rate = w.Integer("kib_per_s", 0, 1_000_000, "from 0 (unlimited) to 1000000") ?? 0;
            wifi = new WifiWiring(ssid, passphrase, (int)rate);
        }
        string deviceId = "dev-0001", product = bench.Name;
        if (map.Require("device") is { } deviceNode && YamlMap.From(deviceNode, "network.device: ", "must be a mapping with keys id, product", errors) is { } d)
        {
            d.RejectUnknownKeys(DeviceKeys);
            deviceId = ServerOrDeviceId(d, "id") ?? deviceId;
            product = d.String("product", required: true) ?? product;
        }
        var targetId = "hilrig-ota";
        if (map.Require("target") is { } targetNode && YamlMap.From(targetNode, "network.target: ", "must be a mapping with key id", errors) is { } t)
        {
            t.RejectUnknownKeys(TargetKeys);
            targetId = ServerOrDeviceId(t, "id") ?? targetId;
        }
        var vendors = new List<VendorWiring>();
        if (map.Sequence("vendors", "a list of vendor servers (id, ota_unit)", required: true) is { } list)
        {
            var number = 0;
            foreach (var entry in list)
            {
                number++;
                if (YamlMap.From(entry, $"vendor server {number}: ", "must be a mapping with keys id, ota_unit", errors) is not { } v)
                {
                    continue;
                }
                v.RejectUnknownKeys(VendorKeys);
                if (ServerOrDeviceId(v, "id") is not { } id)
                {
                    continue;
                }
                if (id == targetId)
                {
                    v.Error(v.Get("id")!, $"server id '{id}' is the target server's; a device provisioned with it uses the target server as its vendor server, so it is not listed again");
                }
                else if (vendors.Any(x => x.Id == id))
                {
                    v.Error(v.Get("id")!, $"server id '{id}' is listed twice");
                }
                vendors.Add(new VendorWiring(id, v.Bool("ota_unit") ?? false));
            }
            if (list.Children.Count == 0)
            {
                errors.Add(list, "network: 'vendors' must list at least one vendor server");
            }
        }
        var broker = BrokerWiring.Embedded;
        if (map.Get("broker") is { } brokerNode && YamlMap.From(brokerNode, "network.broker: ", "must be a mapping with key kind (embedded or mosquitto)", errors) is { } b)
        {
            b.RejectUnknownKeys(BrokerKeys);
            broker = new BrokerWiring(b.Choice("kind", BrokerKinds, required: true) == 1);
        }
        GatewayWiring? gateway = null;
        if (map.Get("gateway") is { } gatewayNode && YamlMap.From(gatewayNode, "network.gateway: ", "must be a mapping with keys logical_nodes, capacity, version", errors) is { } g)
        {
            g.RejectUnknownKeys(GatewayKeys);
            var logical = g.Integer("logical_nodes", 1, 20, "from 1 to 20") ?? 2;
            var capacity = g.Integer("capacity", 1, 100_000, "from 1 to 100000") ?? 8;
            var version = g.String("version") ?? "1.0.0";
            if (!Protocol.Messages.FirmwareVersion.TryParse(version, out _))
            {
                g.Error(g.Get("version")!, $"'version' must be major.minor.patch, got '{version}'");
            }
            gateway = new GatewayWiring((int)logical, (int)capacity, version);
        }
        if (IsVirtual && bench.Module.FactoryImage is null)
        {
            map.Error(node, "a virtual bench with a network section needs module.factory_image (the emulated module's WiFi firmware)");
        }
        // TLS from the bench CA on the target server (MQTT and downloads) and the vendor brokers (docs/cloud.md §6).
        var tls = map.Bool("tls") ?? false;
        bench.Network = new NetworkWiring(wifi, deviceId, product, targetId, vendors, broker, (int)node.Start.Line) { Gateway = gateway, Tls = tls };
    }

    private static string? ServerOrDeviceId(YamlMap map, string key)
    {
        var id = map.String(key, required: true);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            map.Error(map.Get(key)!, $"'{key}' '{id}' must be 1 to 32 lower-case letters, digits and '-'");
            return null;
        }
        return id;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex IdPattern();
}
