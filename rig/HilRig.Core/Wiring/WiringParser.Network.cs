using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace HilRig.Core.Wiring;

internal sealed partial class WiringParser
{
    private static readonly string[] NetworkKeys = ["wifi", "device", "target", "vendors", "broker", "gateway", "tls", "air", "names"];
    private static readonly string[] AirKeys = ["kind", "subnet", "interface", "channel", "country", "station_mac"];
    private static readonly string[] AirKinds = ["netns", "hostapd", "link"];
    private static readonly string[] GatewayKeys = ["logical_nodes", "capacity", "version"];
    private static readonly string[] WifiKeys = ["ssid", "passphrase", "kib_per_s"];
    private static readonly string[] DeviceKeys = ["id", "product", "secret"];
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
        string? deviceSecret = null;
        if (map.Require("device") is { } deviceNode && YamlMap.From(deviceNode, "network.device: ", "must be a mapping with keys id, product", errors) is { } d)
        {
            d.RejectUnknownKeys(DeviceKeys);
            deviceId = ServerOrDeviceId(d, "id") ?? deviceId;
            product = d.String("product", required: true) ?? product;
            deviceSecret = d.String("secret");
            if (deviceSecret is not null && (deviceSecret.Length is < 16 or > 64 || deviceSecret.Any(c => c is < '!' or > '~')))
            {
                d.Error(d.Get("secret")!, "'secret' must be 16 to 64 printable characters without spaces (the MQTT password the device's firmware holds)");
            }
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
        var air = ParseAir(map);
        if (air is { Kind: AirKind.Hostapd } && map.Get("air") is { } hostapdNode)
        {
            // What hostapd itself would refuse (an SSID or passphrase WPA2 cannot carry), named at the air entry.
            foreach (var problem in Wifi.HostapdConfig.Problems(new Wifi.AirOptions
            {
                BenchName = bench.Name ?? "bench", HostNames = [], WorkDirectory = ".", Ssid = wifi.Ssid, Passphrase = wifi.Passphrase,
                Interface = air.Interface, Channel = air.Channel, Country = air.Country,
            }).Where(p => p.Field is not ("interface" or "channel" or "country")))
            {
                map.Error(hostapdNode, $"the access point (hostapd) cannot use this {problem.Field}: {problem.Message}");
            }
        }
        var names = ParseNames(map, targetId, vendors, gateway is not null);
        if (IsHardware && bench.Module.Kind == ModuleKind.Device)
        {
            // A real module: its firmware holds its credentials and the ports it dials, and it reaches the servers over a bench network.
            if (air is null)
            {
                map.Error(node, "a hardware bench's module reaches its servers over the bench network: add network.air (kind: hostapd on a Pi, docs/wiring.md \"The bench network\")");
            }
            if (deviceSecret is null)
            {
                map.Error(node, "a hardware bench's module holds its credentials in its firmware: give network.device.secret (its MQTT password on every server)");
            }
            foreach (var id in vendors.Select(v => v.Id).Prepend(targetId).Where(id => names.TryGetValue(id, out var n) && n.Port == 0))
            {
                map.Error(map.Get("names") ?? node, $"a hardware bench's module dials the port its firmware holds: give network.names.{id} as host:port");
            }
            if (gateway is not null)
            {
                map.Error(map.Get("gateway")!, "the gateway cluster is not run with a hardware bench's module yet (its device password is made per run); leave network.gateway out");
            }
        }
        bench.Network = new NetworkWiring(wifi, deviceId, product, targetId, vendors, broker, (int)node.Start.Line)
        {
            Gateway = gateway, Tls = tls, Air = air, Names = names, DeviceSecret = deviceSecret,
        };
    }

    /// <summary>network.air: the access point and the module's side of the air (docs/wiring.md "The bench network").</summary>
    private AirWiring? ParseAir(YamlMap network)
    {
        if (network.Get("air") is not { } airNode)
        {
            return null;
        }
        if (YamlMap.From(airNode, "network.air: ", $"must be a mapping with keys {string.Join(", ", AirKeys)}", errors) is not { } a)
        {
            return null;
        }
        a.RejectUnknownKeys(AirKeys);
        var kind = a.Choice("kind", AirKinds, required: true) switch { 1 => AirKind.Hostapd, 2 => AirKind.Link, _ => AirKind.Netns };
        Wifi.AirSubnet? subnet = null;
        if (a.String("subnet", required: kind == AirKind.Hostapd) is { } text)
        {
            subnet = Wifi.AirSubnet.TryParse(text, out var problem);
            if (subnet is null)
            {
                a.Error(a.Get("subnet")!, $"'subnet' {problem}");
            }
        }
        var iface = a.String("interface", required: kind != AirKind.Netns);
        if (iface is not null && !InterfacePattern().IsMatch(iface))
        {
            a.Error(a.Get("interface")!, $"'interface' must be a network interface name (1 to 15 letters, digits, '-', '_', '.'), got '{iface}'");
        }
        var channel = a.Integer("channel", 1, 13, "from 1 to 13 (2.4 GHz)") ?? 6;
        var country = a.String("country");
        if (country is not null && !CountryPattern().IsMatch(country))
        {
            a.Error(a.Get("country")!, $"'country' must be a two-letter upper-case country code (DE, US), got '{country}'");
        }
        var mac = a.String("station_mac");
        if (mac is not null && !MacPattern().IsMatch(mac))
        {
            a.Error(a.Get("station_mac")!, $"'station_mac' must be six hex pairs with colons (24:0a:c4:12:34:56), got '{mac}'");
        }
        if (kind == AirKind.Netns && IsHardware)
        {
            a.Error(a.Get("kind")!, "'kind: netns' is the network double, for a virtual bench; a hardware bench's module joins a real access point (kind: hostapd)");
        }
        if (kind == AirKind.Hostapd && IsVirtual)
        {
            a.Error(a.Get("kind")!, "'kind: hostapd' runs a real access point for a real module; a virtual bench's emulated module lives in the network double (kind: netns)");
        }
        if (kind == AirKind.Link && IsVirtual)
        {
            a.Error(a.Get("kind")!, "'kind: link' serves a module on an interface outside the rig (the bench double's); a virtual bench's emulated module lives in the network double (kind: netns)");
        }
        foreach (var key in new[] { "channel", "country", "station_mac" })
        {
            if (kind == AirKind.Link && a.Has(key))
            {
                a.Error(a.Get(key)!, $"'{key}' is for a Pi's access point (kind: hostapd); a link has no radio");
            }
        }
        foreach (var key in new[] { "interface", "channel", "country", "station_mac" })
        {
            if (kind == AirKind.Netns && a.Has(key))
            {
                a.Error(a.Get(key)!, $"'{key}' is for a Pi's access point (kind: hostapd); the network double makes its own interfaces");
            }
        }
        return new AirWiring(kind, subnet, iface, (int)channel, country, mac?.ToLowerInvariant(), (int)a.Start.Line);
    }

    /// <summary>network.names: the host name (and MQTT port) the firmware uses for each server id and for the gateway.</summary>
    private Dictionary<string, ServerName> ParseNames(YamlMap network, string targetId, List<VendorWiring> vendors, bool hasGateway)
    {
        var known = new List<string> { targetId };
        known.AddRange(vendors.Select(v => v.Id));
        if (hasGateway)
        {
            known.Add(NetworkWiring.GatewayName);
        }
        // A vendor listed under the target's id is an error of its own (reported above); its name is the target's.
        known = known.Distinct(StringComparer.Ordinal).ToList();
        var names = known.ToDictionary(id => id, id => new ServerName($"{id}.hilrig.test", 0), StringComparer.Ordinal);
        if (network.Get("names") is not { } namesNode
            || YamlMap.From(namesNode, "network.names: ", "must map server ids to host names (hilrig-ota: ota.example.test or ota.example.test:8883)", errors) is not { } n)
        {
            return names;
        }
        n.RejectUnknownKeys([.. known]);
        foreach (var id in known)
        {
            if (n.String(id) is not { } text)
            {
                continue;
            }
            var colon = text.LastIndexOf(':');
            var host = colon < 0 ? text : text[..colon];
            var port = 0;
            if (colon >= 0 && (!int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                n.Error(n.Get(id)!, $"'{id}': the port after ':' must be 1 to 65535, got '{text[(colon + 1)..]}'");
                continue;
            }
            if (!HostNamePattern().IsMatch(host) || host.Length > 253)
            {
                n.Error(n.Get(id)!, $"'{id}': '{host}' is not a host name (letters, digits and '-' in dot-separated labels)");
                continue;
            }
            names[id] = new ServerName(host.ToLowerInvariant(), port);
        }
        return names;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex InterfacePattern();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryPattern();

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostNamePattern();

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
