using HilRig.Core.Bench;
using HilRig.Core.Wiring;
using HilRig.Gherkin;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// The scenario's bench: built from a wiring file when a step asks for it, powered on, and torn down
/// (every node off, every pty closed) when the scenario ends, whatever happened.
/// </summary>
public sealed class BenchDriver(RigSettings settings, ScenarioRun scenario) : IAsyncDisposable
{
    private IBench? _bench;
    private RigProcessor? _processor;

    /// <summary>The running bench; a step that needs it before a Given started it fails with this message.</summary>
    public IBench Bench => _bench ?? throw new InvalidOperationException("no bench is running: start one with 'Given the bench is powered on'");

    /// <summary>
    /// The rig standing as the device's processor on the link between the module and chip 1 (docs/protocol.md §7.7),
    /// attached the first time a step needs it; a bench where that link is not a relay fails the step with the reason.
    /// </summary>
    public RigProcessor Processor
    {
        get
        {
            try
            {
                return _processor ??= new RigProcessor(Bench);
            }
            catch (InvalidOperationException ex) when (_bench is not null)
            {
                throw new ExpectationException(ex.Message);
            }
        }
    }

    /// <summary>The bench's description (null until a bench was started).</summary>
    public BenchWiring Wiring => Bench.Wiring;

    /// <summary>The network config record the module's flash starts with (set by a Given before the bench starts; unset: configured for the first vendor server).</summary>
    public Func<NetworkWiring, Protocol.Cloud.NetworkConfig?>? ModuleNetwork { get; set; }

    /// <summary>The CA certificate (PEM) the module's firmware trusts instead of the bench CA (set by a Given before the bench starts; unset: the bench CA).</summary>
    public string? ModuleTrustedCaPem { get; set; }

    /// <summary>Changes to the module's factory record (set by a Given before the bench starts; unset: the bench's own record).</summary>
    public Func<Protocol.Cloud.ModuleFactoryConfig, Protocol.Cloud.ModuleFactoryConfig>? ModuleFactory { get; set; }

    /// <summary>What Given steps want done to the bench after it is laid out and before any node gets power.</summary>
    public List<Action<IBench>> BeforePowerOn { get; } = new();

    /// <summary>The run's cancellation.</summary>
    public CancellationToken Cancellation => scenario.RunCancellation;

    /// <summary>True once a step started the bench.</summary>
    public bool Started => _bench is not null;

    /// <summary>Where this scenario's artifacts (timeline, node logs, flash files) go.</summary>
    public string ArtifactsDirectory { get; } = Path.Combine(settings.ArtifactsRoot, Slug(scenario));

    /// <summary>Loads the wiring file (the run's default when <paramref name="bench"/> is null) and powers every node on.</summary>
    public async Task StartAsync(string? bench, CancellationToken cancellationToken)
    {
        var wiring = WiringLoader.Load(bench is null ? settings.WiringPath : settings.ResolveWiring(bench));
        if (wiring.Network?.Air is { Kind: Core.Wiring.AirKind.Netns } && Core.Wifi.NamespaceAir.Unavailable() is { } why)
        {
            throw new SkipScenarioException($"bench '{wiring.Name}' puts its module in the network double (network: air: {{ kind: netns }}), which cannot run here: {why}");
        }
        if (Directory.Exists(ArtifactsDirectory))
        {
            Directory.Delete(ArtifactsDirectory, recursive: true);
        }
        _bench = BenchFactory.Create(wiring, new BenchOptions(ArtifactsDirectory)
        {
            ChipDefects = settings.ChipDefects,
            ModuleNetwork = ModuleNetwork,
            ModuleTrustedCaPem = ModuleTrustedCaPem,
            ModuleFactory = ModuleFactory,
            CertificateAuthorityDirectory = settings.DataDirectory is { } data ? Servers.Tls.BenchCertificateAuthority.DirectoryUnder(data, wiring.Name) : null,
        });
        _bench.Timeline.Add("rig", "scenario", $"{scenario.Feature.Name}: {scenario.Name}");
        foreach (var step in BeforePowerOn) step(_bench);
        await _bench.PowerOnAllAsync(cancellationToken).ConfigureAwait(false);
        if (wiring.Kind == Core.Wiring.BenchKind.Hardware && wiring.Module.Kind == Core.Wiring.ModuleKind.Device && _bench.Cloud is { } cloud)
        {
            await ProvisionRealModuleAsync(cloud.Wiring, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The device's own module keeps its network config in its flash, which the rig cannot write: the rig hands it the
    /// scenario's network config through the chain as the processor does (PROVISION), and a scenario that needs a module
    /// without one, or with a config still pending, or with another CA in its firmware, is skipped with that reason.
    /// </summary>
    /// <summary>How long a real module has after power-on to answer PROVISION.</summary>
    public static readonly TimeSpan ProvisionDeadline = TimeSpan.FromSeconds(30);

    private async Task ProvisionRealModuleAsync(Core.Wiring.NetworkWiring network, CancellationToken cancellationToken)
    {
        var config = ModuleNetwork is { } choose ? choose(network) : new Protocol.Cloud.NetworkConfig(0, network.Wifi.Ssid, network.Wifi.Passphrase, network.Vendors[0].Id);
        if (config is null || config.Flag != 0 || ModuleTrustedCaPem is not null || ModuleFactory is not null)
        {
            throw new SkipScenarioException($"bench '{Wiring.Name}' runs the device's own module: the rig cannot erase its network config, change the CA its firmware trusts or rewrite its access config table (it provisions the module through the chain instead)");
        }
        // The module answers once it has booted, which the rig cannot see on a real one: PROVISION is sent again until it does.
        Protocol.Messages.ProvisionAckPayload? ack = null;
        var deadline = DateTimeOffset.UtcNow + ProvisionDeadline;
        while (ack is null)
        {
            try
            {
                ack = await Processor.ProvisionAsync(new Protocol.Messages.ProvisionPayload(config.Ssid, config.Passphrase, config.ServerId), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (DateTimeOffset.UtcNow < deadline)
            {
                Bench.Timeline.Add("rig", "provision", "no PROVISION_ACK yet (the module may still be booting); sending it again");
            }
        }
        Bench.Timeline.Add("rig", "provision", $"the module was handed SSID '{config.Ssid}' and server id '{config.ServerId}' through the chain: PROVISION_ACK {ack.Status}");
        if (ack.Status != Protocol.Messages.ProvisionStatus.Accepted)
        {
            throw new InvalidOperationException($"the module refused the bench network's PROVISION (SSID '{config.Ssid}', server id '{config.ServerId}'): {ack.Status}");
        }
    }

    /// <summary>The chip with this name, with a message listing the bench's chips when there is none.</summary>
    public ChipWiring Chip(string name) => Wiring.Chips.FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"bench {Wiring.Name} has no chip '{name}' (chips: {string.Join(", ", Wiring.Chips.Select(c => c.Name))})");

    private static string Slug(ScenarioRun scenario)
    {
        var text = $"{Path.GetFileNameWithoutExtension(scenario.Feature.Uri)}-{scenario.Name}";
        var chars = text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(scenario.PickleId)))[..8];
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return $"{slug[..Math.Min(80, slug.Length)]}-{id}";
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _processor?.Dispose();
        if (_bench is not null)
        {
            await _bench.DisposeAsync().ConfigureAwait(false);
        }
    }
}
