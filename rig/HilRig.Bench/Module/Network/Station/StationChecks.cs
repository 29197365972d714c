using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using HilRig.Servers.Tls;
using MQTTnet;

namespace HilRig.Bench.Module.Network.Station;

/// <summary>
/// Runs a <see cref="StationPlan"/> from the module's side of the air (`hilrig bench station`): joins by DHCP, then
/// one line per check, "PASS dhcp 10.231.7.123/24 dns 10.231.7.1", "PASS dns ota.hilrig.test -> 10.231.7.1",
/// "FAIL tls ota.hilrig.test:8883: ...", "PASS mqtt ota.hilrig.test:8883: connected as dev-0001". Every check is
/// bounded and says so when its time ran out.
/// </summary>
public sealed class StationChecks(WifiStation station, TextWriter output)
{
    /// <summary>Time for the carrier and a DHCP lease (udhcpc's 4 discovers 1 s apart, with room for a second run).</summary>
    public static readonly TimeSpan DhcpTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Time for every other check (a name, a TLS handshake, an MQTT login).</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs the plan; true when every check passed. With <paramref name="watchLink"/>, then waits that long for the link
    /// to go (the check of a WiFi drop: "WATCH link on IF" when it starts, "PASS link lost on IF after N ms" or a FAIL
    /// when it stays up). The station leaves at the end.
    /// </summary>
    public async Task<bool> RunAsync(StationPlan plan, CancellationToken cancellationToken, TimeSpan? watchLink = null)
    {
        var passed = true;
        try
        {
            var lease = await Bounded(DhcpTimeout, token => station.JoinAsync(token), cancellationToken).ConfigureAwait(false);
            if (lease.Problem is not null)
            {
                var problem = lease.Problem == TimedOut(DhcpTimeout) && !station.HasCarrier
                    ? $"no carrier within {DhcpTimeout.TotalSeconds:0} s (the access point is down or refuses the station)"
                    : lease.Problem;
                Line(false, $"dhcp on {station.Interface}: {problem}");
                foreach (var name in Names(plan))
                {
                    Line(false, $"{name}: not tried: no DHCP lease");
                }
                return false;
            }
            Line(true, $"dhcp {lease.Value!.Address}/{lease.Value.PrefixLength} dns {lease.Value.DnsServer}");
            foreach (var host in plan.Resolve)
            {
                var answer = await Bounded(CheckTimeout, token => station.ResolveAsync(host, token), cancellationToken).ConfigureAwait(false);
                passed &= Line(answer.Problem is null, answer.Problem is null ? $"dns {host} -> {answer.Value}" : $"dns {host}: {answer.Problem}");
            }
            foreach (var tls in plan.Tls)
            {
                var result = await Bounded(CheckTimeout, token => HandshakeAsync(tls, token), cancellationToken).ConfigureAwait(false);
                passed &= Line(result.Problem is null, $"tls {tls.Host}:{tls.Port}: {result.Problem ?? result.Value}");
            }
            foreach (var mqtt in plan.Mqtt)
            {
                var result = await Bounded(CheckTimeout, token => LoginAsync(mqtt, token), cancellationToken).ConfigureAwait(false);
                passed &= Line(result.Problem is null, $"mqtt {mqtt.Host}:{mqtt.Port}: {result.Problem ?? result.Value}");
            }
            if (watchLink is { } limit)
            {
                output.WriteLine($"WATCH link on {station.Interface} for {limit.TotalSeconds:0} s");
                output.Flush();
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var lost = await Bounded(limit, async token =>
                {
                    await station.WaitForLinkLossAsync(token).ConfigureAwait(false);
                    return watch.ElapsedMilliseconds;
                }, cancellationToken).ConfigureAwait(false);
                passed &= Line(lost.Problem is null, lost.Problem is null
                    ? $"link lost on {station.Interface} after {lost.Value} ms"
                    : $"link on {station.Interface}: still up after {limit.TotalSeconds:0} s");
            }
            return passed;
        }
        finally
        {
            await station.LeaveAsync().ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> Names(StationPlan plan) =>
        plan.Resolve.Select(h => $"dns {h}").Concat(plan.Tls.Select(t => $"tls {t.Host}:{t.Port}")).Concat(plan.Mqtt.Select(m => $"mqtt {m.Host}:{m.Port}"));

    private bool Line(bool pass, string text)
    {
        output.WriteLine($"{(pass ? "PASS" : "FAIL")} {text}");
        output.Flush();
        return pass;
    }

    private async Task<string> HandshakeAsync(TlsCheck check, CancellationToken token)
    {
        var address = await station.ResolveAsync(check.Host, token).ConfigureAwait(false);
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(check.CaPath, token).ConfigureAwait(false));
        using var tcp = new TcpClient(address.AddressFamily);
        try
        {
            await tcp.ConnectAsync(address, check.Port, token).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new StationException($"cannot connect to {address}:{check.Port} ({ex.Message})");
        }
        string? refused = null;
        await using var tls = new SslStream(tcp.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = check.Host,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = BenchTrust.Callback(ca, problem => refused = problem),
            }, token).ConfigureAwait(false);
        }
        catch (AuthenticationException ex)
        {
            throw new StationException(refused is null ? $"handshake failed ({ex.Message})" : $"refused the server: {refused}");
        }
        var subject = tls.RemoteCertificate?.Subject ?? "?";
        return $"{tls.SslProtocol} with {subject}, which chains to the CA and names {check.Host} (at {address})";
    }

    private async Task<string> LoginAsync(MqttCheck check, CancellationToken token)
    {
        var address = await station.ResolveAsync(check.Host, token).ConfigureAwait(false);
        var builder = new MqttClientOptionsBuilder()
            .WithNamedServer(check.Host, address, check.Port)
            .WithClientId(check.ClientId)
            .WithCleanSession(true)
            .WithTimeout(CheckTimeout);
        if (check.User is not null)
        {
            builder.WithCredentials(check.User, check.Password);
        }
        using var ca = check.Tls ? X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(check.CaPath!, token).ConfigureAwait(false)) : null;
        string? refused = null;
        if (ca is not null)
        {
            builder.WithBenchTls(ca, problem => refused = problem);
        }
        using var client = new MqttClientFactory().CreateMqttClient();
        MqttClientConnectResult result;
        try
        {
            result = await client.ConnectAsync(builder.Build().NamedFor(check.Host), token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or AuthenticationException or SocketException or IOException)
        {
            throw new StationException(refused is null ? $"cannot connect to {address}:{check.Port} ({ex.InnerException?.Message ?? ex.Message})" : $"refused the server: {refused}");
        }
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new StationException($"login refused (CONNACK {result.ResultCode})");
        }
        await client.DisconnectAsync(cancellationToken: token).ConfigureAwait(false);
        return $"connected as {check.ClientId}{(check.Tls ? " over TLS" : "")} (at {address})";
    }

    private static string TimedOut(TimeSpan limit) => $"no answer within {limit.TotalSeconds:0} s";

    private readonly record struct Outcome<T>(T? Value, string? Problem);

    private static async Task<Outcome<T>> Bounded<T>(TimeSpan limit, Func<CancellationToken, Task<T>> check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            return new Outcome<T>(await check(timeout.Token).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Outcome<T>(default, TimedOut(limit));
        }
        catch (StationException ex)
        {
            return new Outcome<T>(default, ex.Message);
        }
        catch (Exception ex) when (ex is SocketException or IOException or MQTTnet.Exceptions.MqttCommunicationException or System.Security.Cryptography.CryptographicException)
        {
            return new Outcome<T>(default, ex.Message);
        }
    }
}
