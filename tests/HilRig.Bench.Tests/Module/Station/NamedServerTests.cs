using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using HilRig.Bench.Module.Network;
using HilRig.Bench.Module.Network.Station;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Tls;
using MQTTnet.Server;

namespace HilRig.Bench.Tests.Module.Station;

/// <summary>
/// A server dialled at the address its name resolved to, TLS checked against the name: the module's MQTT link and its
/// download client with a station's resolver (here a table pointing names at loopback). The bench CA's server
/// certificates also name 127.0.0.1: the refusal of another name shows it is the name that is checked.
/// </summary>
public sealed class NamedServerTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly BenchCertificateAuthority _ca;
    private readonly ServerCertificate _acme;
    private readonly Lock _gate = new();
    private readonly List<string> _log = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    public NamedServerTests()
    {
        _ca = BenchCertificateAuthority.LoadOrCreate(_folder.File("ca"), "named-server-test");
        _acme = _ca.ServerCertificateFor("acme", ["acme.hilrig.test"]);
    }

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Names to addresses; a name missing from it fails as a station's lookup does.</summary>
    private sealed class TableResolver(Dictionary<string, IPAddress> table) : INameResolver
    {
        public List<string> Asked { get; } = [];

        public int FailuresLeft { get; set; }

        public Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(host);
                if (FailuresLeft > 0)
                {
                    FailuresLeft--;
                    throw new StationException($"name {host} does not resolve at DNS server 127.0.0.53 (no answer yet)");
                }
            }
            return table.TryGetValue(host, out var address) ? Task.FromResult(address)
                : throw new StationException($"name {host} does not resolve at DNS server 127.0.0.53 (NotExistentDomain)");
        }
    }

    private void Log(string line)
    {
        lock (_gate)
        {
            _log.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Seen.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    private Task<string> LoggedAsync(Func<string, bool> match)
    {
        lock (_gate)
        {
            if (_log.FirstOrDefault(match) is { } line) return Task.FromResult(line);
            var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, seen));
            return seen.Task.WaitAsync(TimeSpan.FromSeconds(15), Token);
        }
    }

    private async Task<(MqttServer Server, int Port)> StartBrokerAsync()
    {
        var options = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithEncryptedEndpoint()
            .WithEncryptedEndpointBoundIPAddress(IPAddress.Loopback)
            .WithEncryptedEndpointBoundIPV6Address(IPAddress.None)
            .WithEncryptedEndpointPort(0)
            .WithEncryptionCertificate(_acme.Certificate)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        await server.StartAsync();
        return (server, options.TlsEndpointOptions.Port);
    }

    private MqttLink Link(string host, int port, INameResolver names) =>
        new("vendor server 'acme'", new AccessConfig(host, port, "secret") { Tls = true }, "dev-0001", [],
            (_, _) => Task.CompletedTask, () => Task.CompletedTask, Log, _ca.Certificate, names);

    [Fact]
    public async Task MqttLink_Looks_the_name_up_retries_a_failed_lookup_and_connects_over_TLS_checked_against_the_name()
    {
        var (server, port) = await StartBrokerAsync();
        using var _ = server;
        var names = new TableResolver(new() { ["acme.hilrig.test"] = IPAddress.Loopback }) { FailuresLeft = 1 };
        await using var link = Link("acme.hilrig.test", port, names);

        link.Start();
        await link.WhenConnected(Token).WaitAsync(TimeSpan.FromSeconds(15), Token);

        await LoggedAsync(l => l.StartsWith("vendor server 'acme': name acme.hilrig.test does not resolve at DNS server 127.0.0.53 (no answer yet); retrying in ", StringComparison.Ordinal));
        await LoggedAsync(l => l == "vendor server 'acme': name acme.hilrig.test is 127.0.0.1");
        await LoggedAsync(l => l == $"vendor server 'acme': connected to acme.hilrig.test:{port} over TLS as dev-0001");
        lock (names.Asked) Assert.All(names.Asked, host => Assert.Equal("acme.hilrig.test", host));
        await server.StopAsync();
    }

    [Fact]
    public async Task MqttLink_Refuses_the_server_When_its_certificate_names_the_address_but_not_the_name_dialled()
    {
        var (server, port) = await StartBrokerAsync();
        using var _ = server;
        var names = new TableResolver(new() { ["other.hilrig.test"] = IPAddress.Loopback });
        await using var link = Link("other.hilrig.test", port, names);

        link.Start();

        var refusal = await LoggedAsync(l => l.Contains("TLS: refusing", StringComparison.Ordinal));
        Assert.Equal($"vendor server 'acme': TLS: refusing other.hilrig.test:{port}: its certificate does not name the host dialled (it names acme.hilrig.test, localhost, 127.0.0.1)", refusal);
        Assert.False(link.IsConnected);
        await server.StopAsync();
    }

    [Fact]
    public async Task ConnectCallback_Dials_the_resolved_address_and_TLS_checks_the_URL_host()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = ServeOneHttpsAsync(listener);
        var names = new TableResolver(new() { ["acme.hilrig.test"] = IPAddress.Loopback });
        using var handler = new SocketsHttpHandler { ConnectCallback = NamedServer.ConnectCallback(names) };
        string? refused = null;
        handler.SslOptions.RemoteCertificateValidationCallback = BenchTrust.Callback(_ca.Certificate, p => refused = p);
        using var http = new HttpClient(handler);

        var body = await http.GetStringAsync(new Uri($"https://acme.hilrig.test:{port}/firmware.hrim"), Token);

        Assert.Equal("GET /firmware.hrim host acme.hilrig.test", body);
        Assert.Null(refused);
        Assert.Equal(["acme.hilrig.test"], names.Asked);
        await serving;
    }

    [Fact]
    public async Task ConnectCallback_Fails_the_request_with_the_lookup_failure_When_the_name_does_not_resolve()
    {
        var names = new TableResolver([]);
        using var handler = new SocketsHttpHandler { ConnectCallback = NamedServer.ConnectCallback(names) };
        using var http = new HttpClient(handler);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(new Uri("https://nowhere.hilrig.test:8443/x"), Token));

        Assert.Contains("name nowhere.hilrig.test does not resolve at DNS server 127.0.0.53 (NotExistentDomain)", ex.ToString(), StringComparison.Ordinal);
    }

    /// <summary>One HTTPS exchange: answers with the request line's path and the Host header it got.</summary>
    private async Task ServeOneHttpsAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync(Token);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _acme.Certificate }, Token);
        using var reader = new StreamReader(tls, Encoding.ASCII, leaveOpen: true);
        var requestLine = await reader.ReadLineAsync(Token) ?? "";
        var host = "";
        while (await reader.ReadLineAsync(Token) is { Length: > 0 } header)
        {
            if (header.StartsWith("Host:", StringComparison.OrdinalIgnoreCase)) host = header[5..].Trim().Split(':')[0];
        }
        var body = Encoding.ASCII.GetBytes($"GET {requestLine.Split(' ')[1]} host {host}");
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), Token);
        await tls.WriteAsync(body, Token);
        await tls.FlushAsync(Token);
    }
}
