using System.Buffers;
using System.Diagnostics;
using HilRig.Platform.Processes;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using HilRig.Servers.Internal;
using HilRig.Servers.Tls;
using MQTTnet;
using MQTTnet.Protocol;

namespace HilRig.Servers.Mqtt;

/// <summary>How to run a mosquitto broker for one server (<see cref="MosquittoBroker.StartAsync"/>).</summary>
public sealed class MosquittoOptions
{
    /// <summary>Source name on the sink, for example "vendor:acme".</summary>
    public required string Name { get; init; }

    /// <summary>The devices that may connect, with their secrets (read when the broker starts).</summary>
    public required DeviceRegistry Devices { get; init; }

    /// <summary>The topics each device may use, written into mosquitto's ACL file.</summary>
    public required DeviceTopicAcl Acl { get; init; }

    /// <summary>Directory for the broker's config, password and ACL files.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The server's certificate from the bench CA: mosquitto then listens for MQTT over TLS only. Null: plain MQTT.</summary>
    public Tls.ServerCertificate? Tls { get; init; }

    /// <summary>The mosquitto executable; found on PATH or in /usr/sbin when null.</summary>
    public string? Binary { get; init; }
}

/// <summary>
/// A mosquitto process the rig starts for one server, on a loopback port it picks, configured with the
/// devices' credentials (client id forced to the user name) and their topic ACLs (docs/cloud.md §3.3); the
/// server talks to it through an MQTTnet client logged in as the backend user. For fleet-size runs and for
/// proving the servers do not depend on the embedded broker.
/// </summary>
public sealed partial class MosquittoBroker : IDeviceBroker, IAsyncDisposable
{
    private const string BackendUser = "backend";
    private readonly MosquittoOptions _options;
    private readonly ServerEventSink _sink;
    private readonly Process _process;
    private readonly IMqttClient _backend;
    private readonly List<(string Filter, Func<BrokerMessage, Task> Handler)> _handlers = new();
    private readonly Channel<BrokerMessage> _inbox = Channel.CreateUnbounded<BrokerMessage>(new() { SingleReader = true });
    private readonly Task _dispatchLoop;

    private MosquittoBroker(MosquittoOptions options, ServerEventSink sink, Process process, int port, IMqttClient backend)
    {
        _options = options;
        _sink = sink;
        _process = process;
        Port = port;
        _backend = backend;
        _dispatchLoop = Task.Run(DispatchLoopAsync);
    }

    /// <inheritdoc />
    public string Host => "127.0.0.1";

    /// <inheritdoc />
    public int Port { get; }

    /// <inheritdoc />
    public Tls.ServerCertificate? Tls => _options.Tls;

    /// <summary>The mosquitto executable found on this machine, or null (then `./setup.sh mosquitto` installs it).</summary>
    public static string? FindBinary() =>
        new[] { Environment.GetEnvironmentVariable("PATH")?.Split(':') ?? [], ["/usr/sbin", "/usr/local/sbin"] }
            .SelectMany(d => d).Select(d => Path.Combine(d, "mosquitto")).FirstOrDefault(File.Exists);

    /// <summary>Writes the config, starts mosquitto, and connects the backend client.</summary>
    public static async Task<MosquittoBroker> StartAsync(MosquittoOptions options, ServerEventSink sink, CancellationToken cancellationToken)
    {
        var binary = options.Binary ?? FindBinary()
            ?? throw new FileNotFoundException("mosquitto is not installed (install it with ./setup.sh mosquitto)");
        Directory.CreateDirectory(options.WorkDirectory);
        var backendPassword = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var passwords = Path.Combine(options.WorkDirectory, "passwd");
        var acl = Path.Combine(options.WorkDirectory, "acl");
        var config = Path.Combine(options.WorkDirectory, "mosquitto.conf");
        await WritePasswordsAsync(binary, passwords, options.Devices, backendPassword, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(acl, AclFile(options), cancellationToken).ConfigureAwait(false);
        // The port is picked free and released before mosquitto binds it, so another socket can take it in
        // between; mosquitto then exits at once and is started again on another port.
        for (var attempt = 1; ; attempt++)
        {
            var port = MosquittoProcess.FreeLoopbackPort();
            await File.WriteAllTextAsync(config, ConfigFile(options.Name, passwords, acl, port, options.Tls), cancellationToken).ConfigureAwait(false);
            var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(config);
            var process = ChildProcesses.Start(info);
            process.ErrorDataReceived += (_, e) => OnLogLine(sink, options.Name, e.Data);
            process.OutputDataReceived += (_, e) => OnLogLine(sink, options.Name, e.Data);
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var backend = new MqttClientFactory().CreateMqttClient();
            try
            {
                var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(BackendUser)
                    .WithCredentials(BackendUser, backendPassword).WithTimeout(TimeSpan.FromSeconds(2));
                if (options.Tls is { } tls)
                {
                    // The backend logs in over the same TLS listener as the devices: there is no plain port to use.
                    builder.WithBenchTls(tls.LoadCa(), problem => sink(options.Name, "tls", $"backend refused mosquitto's certificate: {problem}"));
                }
                var login = builder.Build();
                await MosquittoProcess.ConnectBackendAsync(backend, login, process, $"mosquitto for {options.Name}", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < 5 && process.HasExited && ex is InvalidOperationException)
            {
                backend.Dispose();
                process.Dispose();
                continue;
            }
            catch
            {
                backend.Dispose();
                Kill(process);
                throw;
            }
            return Started(options, sink, process, port, backend);
        }
    }

    private static string ConfigFile(string name, string passwords, string acl, int port, Tls.ServerCertificate? tls) => $"""
        # Written by the rig for {name}; loopback only. The listener comes first: listener options written
        # before any listener line would open mosquitto's default listener on every address, port 1883.
        listener {port} 127.0.0.1
        {TlsLines(tls)}
        per_listener_settings false
        allow_anonymous false
        password_file {passwords}
        acl_file {acl}
        use_username_as_clientid true
        persistence false
        connection_messages true
        log_dest stderr
        log_type error
        log_type warning
        log_type notice

        """;

    /// <summary>The listener's TLS settings (mosquitto.conf(5), "Certificate based SSL/TLS Support"): the bench CA's server certificate, TLS 1.2 at least.</summary>
    /// <remarks>
    /// mosquitto started by root drops to the user "mosquitto" before it reads the key, which the bench keeps mode 0600
    /// for its owner: "user" keeps the broker as the rig's own user (it only applies when started as root).
    /// </remarks>
    private static string TlsLines(Tls.ServerCertificate? tls) => tls is null ? "# plain MQTT: no TLS on this bench"
        : string.Join('\n', $"certfile {tls.CertificatePath}", $"keyfile {tls.KeyPath}", $"cafile {tls.CaCertificatePath}", "tls_version tlsv1.2",
            $"user {Environment.UserName}");

    private static MosquittoBroker Started(MosquittoOptions options, ServerEventSink sink, Process process, int port, IMqttClient backend)
    {
        sink(options.Name, "broker", $"mosquitto pid {process.Id} listening on 127.0.0.1:{port}{(options.Tls is null ? "" : " (MQTT over TLS)")}");
        var broker = new MosquittoBroker(options, sink, process, port, backend);
        backend.ApplicationMessageReceivedAsync += e =>
        {
            var message = new BrokerMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), null);
            broker._inbox.Writer.TryWrite(message);
            return Task.CompletedTask;
        };
        return broker;
    }

    private static string AclFile(MosquittoOptions options)
    {
        var text = new StringBuilder("# Written by the rig: the backend may do anything, each device only its own topics.\nuser backend\ntopic readwrite #\n");
        foreach (var device in options.Devices.DeviceIds)
        {
            text.Append(CultureInfoInvariant($"\nuser {device}\n"));
            foreach (var topic in options.Acl.PublishTopics(device)) text.Append(CultureInfoInvariant($"topic write {topic}\n"));
            foreach (var topic in options.Acl.SubscribeTopics(device)) text.Append(CultureInfoInvariant($"topic read {topic}\n"));
        }
        return text.ToString();
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static async Task WritePasswordsAsync(string binary, string path, DeviceRegistry devices, string backendPassword, CancellationToken token)
    {
        // Plain "user:password" lines, then mosquitto_passwd -U hashes them in place (its own format, whatever the version).
        var lines = devices.DeviceIds.Select(d => $"{d}:{devices.SecretOf(d)}").Append($"{BackendUser}:{backendPassword}");
        await File.WriteAllLinesAsync(path, lines, token).ConfigureAwait(false);
        var tool = Path.Combine(Path.GetDirectoryName(binary)!, "mosquitto_passwd");
        if (!File.Exists(tool))
        {
            tool = "/usr/bin/mosquitto_passwd";
        }
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-U");
        info.ArgumentList.Add(path);
        using var process = ChildProcesses.Start(info);
        var error = await process.StandardError.ReadToEndAsync(token).ConfigureAwait(false);
        await process.WaitForExitAsync(token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} -U {path} failed with code {process.ExitCode}: {error.Trim()}");
        }
    }

    private static void OnLogLine(ServerEventSink sink, string name, string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        if (ConnectedLine().Match(line) is { Success: true } connected)
        {
            sink(name, "connect", $"{connected.Groups["id"].Value} connected (mosquitto: {line.Trim()})");
        }
        else if (DeniedLine().IsMatch(line))
        {
            sink(name, "acl", line.Trim());
        }
        else
        {
            sink(name, "broker", line.Trim());
        }
    }

    /// <inheritdoc />
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        _sink(_options.Name, "mqtt", $"backend → {topic} ({payload.Length} bytes): {EventText.Payload(payload.Span)}");
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        await _backend.PublishAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void AddHandler(string topicFilter, Func<BrokerMessage, Task> handler)
    {
        lock (_handlers)
        {
            _handlers.Add((topicFilter, handler));
        }
        _backend.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build())
            .GetAwaiter().GetResult();
    }

    private async Task DispatchLoopAsync()
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            _sink(_options.Name, "mqtt", $"{message.Topic} ({message.Payload.Length} bytes): {EventText.Payload(message.Payload)}");
            List<Func<BrokerMessage, Task>> handlers;
            lock (_handlers)
            {
                handlers = _handlers.Where(h => MqttTopicFilterComparer.Compare(message.Topic, h.Filter) == MqttTopicFilterCompareResult.IsMatch)
                    .Select(h => h.Handler).ToList();
            }
            foreach (var handler in handlers)
            {
                try
                {
                    await handler(message).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    _sink(_options.Name, "error", $"handling {message.Topic} failed: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_backend.IsConnected)
            {
                await _backend.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or TimeoutException or OperationCanceledException)
        {
        }
        _backend.Dispose();
        _inbox.Writer.TryComplete();
        await _dispatchLoop.ConfigureAwait(false);
        Kill(_process);
        _sink(_options.Name, "broker", "mosquitto stopped");
    }

    [GeneratedRegex(@"New client connected from \S+ as (?<id>\S+)")]
    private static partial Regex ConnectedLine();

    [GeneratedRegex(@"[Dd]enied|not authori[sz]ed", RegexOptions.None)]
    private static partial Regex DeniedLine();
}
