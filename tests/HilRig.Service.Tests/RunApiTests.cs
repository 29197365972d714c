using HilRig.Gherkin.Reporting;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

public sealed class RunApiTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_queued_over_the_api_executes_on_the_sim_bench_and_its_artifacts_download()
    {
        await using var service = await ServiceUnderTest.StartAsync();

        var queued = await service.QueueAsync(new RunRequest([ServiceUnderTest.ShortScenario], null, null, 7));
        Assert.Equal(RunState.Queued, queued.State);
        Assert.Equal("sim-chain", queued.Bench);

        var run = await service.WaitForEndAsync(queued.Id, TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.Passed, run.State);
        Assert.Equal(1, run.Passed);
        Assert.Equal(0, run.NotPassed);
        var scenario = Assert.Single(run.Scenarios);
        Assert.Equal(ServiceUnderTest.ShortScenario, scenario.Location);
        Assert.Equal(ScenarioStatus.Passed, scenario.Status);
        Assert.Equal("Multi-chip OTA upgrade over the UART chain: PREPARE is refused while the device body is operating, and nothing is written", scenario.Name);
        Assert.Equal($"dotnet run --project rig/HilRig.Cli -- run {ServiceUnderTest.ShortScenario} --wiring wiring/sim-chain.yaml --seed 7", run.Reproduce);

        var files = await service.Http.GetFromJsonAsync<List<JsonElement>>($"/api/runs/{run.Id}/artifacts", Token);
        var paths = files!.Select(f => f.GetProperty("path").GetString()!).ToList();
        Assert.Contains("reports/junit.xml", paths);
        Assert.Contains("reports/cucumber-messages.ndjson", paths);
        Assert.Contains("run.log", paths);
        var timeline = Assert.Single(paths, p => p.EndsWith("/timeline.ndjson", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.EndsWith("/uart/module-chip1.log", StringComparison.Ordinal));

        var junit = await service.Http.GetStringAsync($"/api/runs/{run.Id}/artifacts/reports/junit.xml", Token);
        Assert.Contains("PREPARE is refused", junit, StringComparison.Ordinal);
        var events = await service.Http.GetStringAsync($"/api/runs/{run.Id}/artifacts/{timeline}", Token);
        Assert.Contains("\"summary\":\"Prepare module", events, StringComparison.Ordinal);
        using var zip = new System.IO.Compression.ZipArchive(await service.Http.GetStreamAsync($"/api/runs/{run.Id}/artifacts.zip", Token));
        Assert.Contains(zip.Entries, e => e.FullName == $"{run.Id}/reports/junit.xml");

        var live = await service.Http.GetFromJsonAsync<JsonElement>($"/api/runs/{run.Id}/live", Token);
        var chips = live.GetProperty("live").GetProperty("chips").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["chip1", "chip2", "chip3"], chips);
    }

    [Theory]
    [InlineData("{\"features\":[\"scenarios/no-such.feature\"]}", "features[0]: 'scenarios/no-such.feature' is not a feature file or folder under scenarios/ of this checkout")]
    [InlineData("{\"wiring\":\"../../etc/passwd\"}", "wiring: '../../etc/passwd' is not a wiring file under wiring/ of this checkout")]
    [InlineData("{\"wiring\":\"wiring/no-such.yaml\"}", "wiring: 'wiring/no-such.yaml' is not a wiring file under wiring/ of this checkout")]
    public async Task A_bad_request_is_refused_with_a_message_naming_the_field(string body, string error)
    {
        await using var service = await ServiceUnderTest.StartAsync();

        var response = await service.Http.PostAsync("/api/runs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal(error, answer.GetProperty("error").GetString());
        Assert.Empty((await service.Http.GetFromJsonAsync<List<JsonElement>>("/api/runs", Token))!);
    }

    [Fact]
    public async Task An_artifact_path_outside_the_run_is_refused()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        var run = await service.QueueAsync(new RunRequest([ServiceUnderTest.ShortScenario], null, null, 3));
        await service.WaitForEndAsync(run.Id, TimeSpan.FromMinutes(3));

        var response = await service.Http.GetAsync($"/api/runs/{run.Id}/artifacts/reports%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", Token);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_history_survives_a_restart_of_the_service()
    {
        string data;
        string id;
        await using (var first = await ServiceUnderTest.StartAsync(ownsData: false))
        {
            data = first.DataDirectory;
            id = (await first.QueueAsync(new RunRequest([ServiceUnderTest.ShortScenario], null, null, 5))).Id;
            await first.WaitForEndAsync(id, TimeSpan.FromMinutes(3));
        }

        await using var second = await ServiceUnderTest.StartAsync(data: data, ownsData: true);
        var runs = await second.Http.GetFromJsonAsync<List<RunRecord>>("/api/runs", ServiceUnderTest.Json, Token);

        var run = Assert.Single(runs!);
        Assert.Equal(id, run.Id);
        Assert.Equal(RunState.Passed, run.State);
    }

    [Fact]
    public async Task With_a_token_every_api_call_needs_it()
    {
        await using var service = await ServiceUnderTest.StartAsync(token: ServiceUnderTest.GoodToken);
        using var anonymous = new HttpClient { BaseAddress = service.Host.Address };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/runs", Token)).StatusCode);
        anonymous.DefaultRequestHeaders.Add("X-HilRig", "1");
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-token-of-enough-length");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/runs", JsonContent.Create(new { }), Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/api/runs", Token)).StatusCode);
    }

    [Fact]
    public void Listening_off_loopback_without_a_token_is_refused()
    {
        var options = new ServeOptions
        {
            Address = IPAddress.Any,
            RepositoryRoot = "/tmp",
            DefaultWiring = "/tmp/x.yaml",
            DataDirectory = "/tmp/d",
        };

        Assert.StartsWith("refusing to listen on 0.0.0.0 without a token", options.Problem(), StringComparison.Ordinal);
        Assert.Null((options with { Token = ServiceUnderTest.GoodToken }).Problem());
        Assert.Null((options with { Address = IPAddress.IPv6Loopback }).Problem());
    }

    [Fact]
    public async Task A_run_whose_steps_are_undefined_is_failed_and_counts_them()
    {
        using var checkout = new TempCheckout();
        await using var service = await ServiceUnderTest.StartAsync(root: checkout.Root);

        var queued = await service.QueueAsync(new RunRequest(["scenarios/Features/short.feature"], null, null, 2));
        var run = await service.WaitForEndAsync(queued.Id, TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.Failed, run.State);
        Assert.Equal((0, 0, 2), (run.Passed, run.Failed, run.Undefined));
        Assert.All(run.Scenarios, s => Assert.Equal(ScenarioStatus.Undefined, s.Status));
        Assert.Equal(["scenarios/Features/short.feature:3", "scenarios/Features/short.feature:6"], run.Scenarios.Select(s => s.Location));
        Assert.Equal("not every scenario passed: 2 undefined", run.Message);
    }

    [Fact]
    public async Task A_cancelled_run_is_cancelled_not_failed()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? id = null;
        service.Host.Runs.Updated += r => { if (r.Id == id && r.State == RunState.Running) running.TrySetResult(); };
        // The far-to-near upgrade of three chips: seconds long.
        var queued = await service.QueueAsync(new RunRequest(["scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12"], null, null, 8));
        id = queued.Id;
        if (service.Host.Runs.Get(id)!.State == RunState.Running) running.TrySetResult();
        await running.Task.WaitAsync(TimeSpan.FromSeconds(60), Token);

        var cancel = await service.Http.PostAsync($"/api/runs/{id}/cancel", JsonContent.Create(new { }), Token);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var run = await service.WaitForEndAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(RunState.Cancelled, run.State);
        Assert.Equal("cancelled", run.Message);
        Assert.Equal(0, run.Failed);
    }
}
