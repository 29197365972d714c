using HilRig.Bench.Node;
using HilRig.Core.Nodes;
using HilRig.Core.Timeline;
using HilRig.Core.Wifi;
using HilRig.Core.Wiring;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Tls;

namespace HilRig.Core.Double;

/// <summary>
/// The device's own WiFi module on a bench double (a hardware wiring whose module is the device's, with
/// <c>network: air: { kind: link, interface: IF }</c>): the emulated module, flashed like a factory module of the
/// firmware team's test build (the wiring's names and ports, its device secret, the bench CA; no network config), runs
/// in a network namespace of the double's own whose only interface, <c>wlan0</c>, is the far end of a veth pair; the
/// near end is IF, in the root namespace, where the rig runs the bench network as on a Pi's <c>wlan0</c>. The rig hands
/// the module its network config through the chain (PROVISION), as the processor does.
/// </summary>
internal sealed class DoubleModule : IAsyncDisposable
{
    /// <summary>The module's interface inside its namespace.</summary>
    public const string StationInterface = "wlan0";

    private DoubleModule(string ns, string rigInterface, string flashDirectory, string airFile)
    {
        Namespace = ns;
        RigInterface = rigInterface;
        FlashDirectory = flashDirectory;
        AirFile = airFile;
    }

    /// <summary>The namespace the module lives in.</summary>
    public string Namespace { get; }

    /// <summary>The rig's end of the radio link.</summary>
    public string RigInterface { get; }

    /// <summary>The module's flash.</summary>
    public string FlashDirectory { get; }

    /// <summary>The access points the module's radio hears (the bench's, always: the rig's faults act on the link).</summary>
    public string AirFile { get; }

    /// <summary>Makes the namespace and the link, and flashes the module; throws <see cref="ArgumentException"/> with one line when it cannot.</summary>
    public static async Task<DoubleModule> CreateAsync(BenchWiring wiring, NetworkWiring network, string directory)
    {
        var air = network.Air!;
        if (NamespaceAir.Unavailable() is { } why)
        {
            throw new ArgumentException($"{wiring.SourcePath}:{air.Line}: the double's module needs a network namespace of its own, which cannot be made here: {why}");
        }
        if (Directory.Exists(Path.Combine("/sys/class/net", air.Interface!)))
        {
            throw new ArgumentException($"{wiring.SourcePath}:{air.Line}: interface {air.Interface} already exists (another double of this bench?); stop it first");
        }
        var ns = $"{NamespaceAir.NamespacePrefix}{Environment.ProcessId}-double";
        var module = new DoubleModule(ns, air.Interface!, Path.Combine(directory, "flash", "module"), Path.Combine(directory, "air.json"));
        try
        {
            await AirCommand.IpAsync(CancellationToken.None, "netns", "add", ns).ConfigureAwait(false);
            await AirCommand.IpAsync(CancellationToken.None, "link", "add", air.Interface!, "type", "veth", "peer", "name", StationInterface, "netns", ns).ConfigureAwait(false);
            await AirCommand.IpAsync(CancellationToken.None, "-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
            await AirCommand.IpAsync(CancellationToken.None, "-n", ns, "link", "set", StationInterface, "up").ConfigureAwait(false);
            await AirCommand.IpAsync(CancellationToken.None, "link", "set", air.Interface!, "up").ConfigureAwait(false);
            module.Flash(wiring, network);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or CertificateAuthorityException or InvalidDataException)
        {
            await module.DisposeAsync().ConfigureAwait(false);
            throw new ArgumentException($"{wiring.SourcePath}:{air.Line}: the double's module: {ex.Message}", ex);
        }
        return module;
    }

    /// <summary>Flashes the module like a factory: identity, the access config table by name and port, the device secret, the bench CA, slot A.</summary>
    private void Flash(BenchWiring wiring, NetworkWiring network)
    {
        var imagePath = wiring.Module.FactoryImage ?? throw new InvalidDataException("the module needs a factory_image (its WiFi firmware) in the wiring file");
        var image = File.ReadAllBytes(imagePath);
        var header = Protocol.Images.ImageHeader.TryDecode(image, out var error) ?? throw new InvalidDataException($"{imagePath}: not a firmware image ({error})");
        var secret = network.DeviceSecret ?? throw new InvalidDataException("the module's firmware needs network.device.secret");
        var ca = network.Tls ? BenchCertificateAuthority.LoadOrCreate(BenchCertificateAuthority.DefaultDirectory(wiring.Name), wiring.Name) : null;
        var access = network.Vendors.Select(v => v.Id).Prepend(network.TargetId).ToDictionary(id => id,
            id => new AccessConfig(network.NameOf(id).Host, network.NameOf(id).Port, secret) { Tls = network.Tls }, StringComparer.Ordinal);
        var factory = new ModuleFactoryConfig(network.DeviceId, network.Product, network.TargetId, access) { TrustedCaPem = ca?.CertificatePem };
        Directory.CreateDirectory(FlashDirectory);
        foreach (var (name, bytes) in ModuleFlashImage.Build(factory, header.Version.ToString(), image, network: null))
        {
            File.WriteAllBytes(Path.Combine(FlashDirectory, name), bytes);
        }
        File.WriteAllBytes(AirFile, CloudJson.Encode(new Air([new AccessPoint(network.Wifi.Ssid, network.Wifi.Passphrase)])));
    }

    /// <summary>Writes the module's flash again as the factory did (a flasher's job, with the module off): its network config and everything it learned are gone.</summary>
    public void Reflash(BenchWiring wiring, NetworkWiring network)
    {
        if (Directory.Exists(FlashDirectory)) Directory.Delete(FlashDirectory, recursive: true);
        Flash(wiring, network);
    }

    /// <summary>Starts the module's process inside its namespace (a power-on).</summary>
    public NodeProcess Start(string downstream, int baud, string statePath, string logPath, BenchTimeline timeline)
    {
        var (file, prefix) = NodeExecutable.Resolve();
        List<string> args = ["netns", "exec", Namespace, file, .. prefix, "module", "--downstream", downstream,
            "--baud", baud.ToString(System.Globalization.CultureInfo.InvariantCulture), "--state", statePath,
            "--network-flash", FlashDirectory, "--air", AirFile, "--station", StationInterface];
        return NodeProcess.Start(ModuleWiring.Name, AirCommand.Ip ?? "ip", args, logPath, timeline);
    }

    /// <summary>Deletes the namespace (and with it the veth pair).</summary>
    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine("/run/netns", Namespace)))
        {
            await AirCommand.RunAsync([AirCommand.Ip ?? "ip", "netns", "delete", Namespace], CancellationToken.None).ConfigureAwait(false);
        }
        if (Directory.Exists(Path.Combine("/sys/class/net", RigInterface)))
        {
            await AirCommand.RunAsync([AirCommand.Ip ?? "ip", "link", "delete", RigInterface], CancellationToken.None).ConfigureAwait(false);
        }
    }
}
