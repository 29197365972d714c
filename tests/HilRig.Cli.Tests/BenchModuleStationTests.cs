using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using HilRig.Bench.Module.Network;
using HilRig.Core.Links;
using HilRig.Core.Nodes;
using HilRig.Core.Wifi;
using HilRig.Protocol.Cloud;
using MQTTnet.Server;
using Xunit;

namespace HilRig.Cli.Tests;

/// <summary>
/// `hilrig bench module --station IF` inside the network double: the emulated module joins, gets its lease from dnsmasq,
/// looks its server's name up there, connects over TLS checked against that name, and after a WiFi drop says so, joins
/// again and reconnects. Skips without root.
/// </summary>
public sealed class BenchModuleStationTests : IAsyncDisposable
{
    private const string HostName = "acme.hilrig.test";
    private const string Ssid = "hilrig-module-test";
    private const string Passphrase = "module-test-passphrase";

    private readonly string _work = Directory.CreateTempSubdirectory("hilrig-module-station-test-").FullName;
    private readonly Channel<string> _log = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private NamespaceAir? _air;
    private MqttServer? _broker;
    private Process? _module;
    private Pty? _downstream;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    public async ValueTask DisposeAsync()
    {
        if (_module is { HasExited: false })
        {
            _module.Kill(entireProcessTree: true);
            await _module.WaitForExitAsync();
        }
        _module?.Dispose();
        _downstream?.Dispose();
        if (_broker is not null)
        {
            await _broker.StopAsync();
            _broker.Dispose();
        }
        _certificate?.Dispose();
        if (_air is not null)
        {
            await _air.DisposeAsync();
        }
        Directory.Delete(_work, recursive: true);
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Module_on_a_station_resolves_its_server_through_dnsmasq_connects_over_TLS_and_rejoins_after_a_WiFi_drop()
    {
        var (air, port) = await StartModuleAsync();

        var dhcp = await LineAsync(l => l.Contains("DHCP: ", StringComparison.Ordinal));
        Assert.Matches($@"DHCP: 10\.\d+\.\d+\.\d+/{air.PrefixLength} from {Regex(air.RigAddress)}, DNS {Regex(air.RigAddress)}$", dhcp);
        await LineAsync(l => l.EndsWith($"vendor server 'acme': name {HostName} is {air.RigAddress}", StringComparison.Ordinal));
        await LineAsync(l => l.Contains($"vendor server 'acme': connected to {HostName}:{port} over TLS as dev-0001", StringComparison.Ordinal));

        await air.DropStationAsync("test: deauthenticated", Token);

        await LineAsync(l => l.Contains($"WiFi lost: link down on {air.StationInterface}", StringComparison.Ordinal));
        await LineAsync(l => l.Contains("DHCP: ", StringComparison.Ordinal));
        await LineAsync(l => l.Contains($"vendor server 'acme': connected to {HostName}:{port} over TLS as dev-0001", StringComparison.Ordinal));
        Assert.DoesNotContain(_seen, l => l.Contains("TLS: refusing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Module_on_a_station_is_refused_while_the_access_point_refuses_its_association_and_joins_when_admitted()
    {
        var (air, port) = await StartModuleAsync();
        await LineAsync(l => l.Contains($"vendor server 'acme': connected to {HostName}:{port} over TLS as dev-0001", StringComparison.Ordinal));

        await air.RefuseAssociationAsync(true, "test: refuse", Token);

        await LineAsync(l => l.Contains($"WiFi lost: link down on {air.StationInterface}", StringComparison.Ordinal));
        await LineAsync(l => l.Contains($"WiFi join refused by SSID '{Ssid}' (association refused); retrying in 2 s", StringComparison.Ordinal));

        await air.RefuseAssociationAsync(false, "test: admit", Token);

        await LineAsync(l => l.Contains("DHCP: ", StringComparison.Ordinal));
        await LineAsync(l => l.Contains($"vendor server 'acme': connected to {HostName}:{port} over TLS as dev-0001", StringComparison.Ordinal));
    }

    /// <summary>The double, a broker over TLS on the rig's address for <see cref="HostName"/>, and the module on the station.</summary>
    private async Task<(NamespaceAir Air, int Port)> StartModuleAsync()
    {
        Assert.SkipWhen(NamespaceAir.Unavailable() is not null, NamespaceAir.Unavailable() ?? "");
        var air = _air = await NamespaceAir.CreateAsync(new AirOptions
        {
            BenchName = "module-station-test",
            HostNames = [HostName],
            WorkDirectory = Path.Combine(_work, "air"),
            Ssid = Ssid,
            Passphrase = Passphrase,
            AirFile = Path.Combine(_work, "air.json"),
        }, Token);
        using var ca = TestCertificates.Authority("CN=module station test bench CA");
        _certificate = TestCertificates.Issue(ca, HostName);
        var port = await StartBrokerAsync(air.RigAddress, _certificate);
        var flash = Path.Combine(_work, "flash");
        var factory = new ModuleFactoryConfig("dev-0001", "test-product", "acme",
            new Dictionary<string, AccessConfig> { ["acme"] = new(HostName, port, "secret-0001") { Tls = true } })
        {
            TrustedCaPem = ca.ExportCertificatePem(),
        };
        ModuleFlash.Program(flash, ModuleFlashImage.Build(factory, "1.0.0", [0xFF], new NetworkConfig(0, Ssid, Passphrase, "acme")));
        _downstream = Pty.Create();
        _module = Start(air.StationCommandPrefix, "--downstream", _downstream.SlavePath, "--state", Path.Combine(_work, "module-state.json"),
            "--network-flash", flash, "--air", Path.Combine(_work, "air.json"), "--station", air.StationInterface);
        return (air, port);
    }

    private static string Regex(IPAddress address) => System.Text.RegularExpressions.Regex.Escape(address.ToString());

    /// <summary>An MQTT broker over TLS on the rig's address of the double (any client may log in), on a port the OS picks.</summary>
    private async Task<int> StartBrokerAsync(IPAddress address, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var options = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithEncryptedEndpoint()
            .WithEncryptedEndpointBoundIPAddress(address)
            .WithEncryptedEndpointBoundIPV6Address(IPAddress.None)
            .WithEncryptedEndpointPort(0)
            .WithEncryptionCertificate(certificate)
            .Build();
        _broker = new MqttServerFactory().CreateMqttServer(options);
        await _broker.StartAsync();
        // MQTTnet's TCP listener writes the port the OS bound back into the endpoint options (5.2).
        Assert.NotEqual(0, options.TlsEndpointOptions.Port);
        return options.TlsEndpointOptions.Port;
    }

    private Process Start(IReadOnlyList<string> prefix, params string[] args)
    {
        var (file, hilrig) = HilrigExecutable.Resolve();
        var words = prefix.Concat([file]).Concat(hilrig).Concat(["bench", "module"]).Concat(args).ToList();
        var info = new ProcessStartInfo(words[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in words.Skip(1))
        {
            info.ArgumentList.Add(word);
        }
        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _log.Writer.TryWrite(line); };
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) _log.Writer.TryWrite(line); };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>The next line of the module's log that matches; fails with everything it logged when none comes in 30 s.</summary>
    private async Task<string> LineAsync(Func<string, bool> match)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var line = await _log.Reader.ReadAsync(timeout.Token);
                _seen.Add(line);
                if (match(line)) return line;
            }
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            Assert.Fail($"the module did not log the expected line within 30 s; it logged:\n{string.Join('\n', _seen)}");
            throw;
        }
    }
}
