using System.Net.Http.Json;
using System.Text.Json;
using HilRig.Cli;
using HilRig.Service;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>Starts `hilrig serve` in-process on 127.0.0.1, port 0, with its own history directory.</summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly bool _ownsData;

    private ServiceUnderTest(ServiceHost host, HttpClient http, string data, bool ownsData)
    {
        Host = host;
        Http = http;
        DataDirectory = data;
        _ownsData = ownsData;
    }

    public ServiceHost Host { get; }

    public HttpClient Http { get; }

    public string DataDirectory { get; }

    public static string RepoRoot() => TestRepository.Root;

    /// <summary>A short scenario (about a second on the sim bench).</summary>
    public const string ShortScenario = "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:23";

    /// <summary>A token long enough for the service (16 characters or more).</summary>
    public const string GoodToken = "7f3a9c1e5b2d4f60a8c3e1d2";

    /// <summary>Starts the service; its history directory is removed at dispose when it made it (<paramref name="data"/> null) or <paramref name="ownsData"/> says so.</summary>
    public static async Task<ServiceUnderTest> StartAsync(string? token = null, string? data = null, string? root = null, bool? ownsData = null)
    {
        root ??= RepoRoot();
        var owns = ownsData ?? data is null;
        data ??= Directory.CreateTempSubdirectory("hilrig-serve-").FullName;
        var host = await ServiceHost.StartAsync(new ServeOptions
        {
            Port = 0,
            Token = token,
            RepositoryRoot = root,
            DefaultWiring = Path.Combine(root, "wiring", "sim-chain.yaml"),
            DataDirectory = data,
            RunProgram = HilrigExecutable.Resolve(),
        }, TestContext.Current.CancellationToken);
        var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
        // Every state-changing call of a legitimate client carries it (AccessGate).
        http.DefaultRequestHeaders.Add("X-HilRig", "1");
        if (token is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return new ServiceUnderTest(host, http, data, owns);
    }

    public async Task<RunRecord> QueueAsync(RunRequest request)
    {
        var response = await Http.PostAsJsonAsync("/api/runs", request, Json, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunRecord>(Json, TestContext.Current.CancellationToken))!;
    }

    /// <summary>Waits for the service to end the run, then reads it back through the API (fails the test after <paramref name="timeout"/>).</summary>
    public async Task<RunRecord> WaitForEndAsync(string id, TimeSpan timeout)
    {
        try
        {
            await Host.Runs.WaitForEndAsync(id, TestContext.Current.CancellationToken).WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"run {id} still {Host.Runs.Get(id)?.State} after {timeout.TotalSeconds} s");
        }
        return (await Http.GetFromJsonAsync<RunRecord>($"/api/runs/{id}", Json, TestContext.Current.CancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        if (_ownsData && Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}
