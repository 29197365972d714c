using HilRig.Gherkin.Execution;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Reporting;

namespace HilRig.Gherkin.Tests.Execution;

public sealed class PickleScheduleTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hilrig-schedule-");

    public void Dispose() => _directory.Delete(recursive: true);

    private IReadOnlyList<PickleInfo> Pickles(string source)
    {
        File.WriteAllText(Path.Combine(_directory.FullName, "s.feature"), source);
        return FeatureLoader.Load("s.feature", _directory.FullName).Pickles;
    }

    private const string Feature = """
        Feature: F
          Scenario: quick
            Given a step
          @slow
          Scenario: sweep
            Given a step
          @alone
          Scenario: restarts a broker on its port
            Given a step
          Scenario: timed
            Given a step
          Scenario: also quick
            Given a step
        """;

    [Fact]
    public void Order_IsLongestFirst_AloneLast_When_SomeDurationsAreKnown()
    {
        var pickles = Pickles(Feature);
        var durations = new Dictionary<string, TimeSpan> { [pickles[3].Pickle.Id] = TimeSpan.FromSeconds(90), [pickles[4].Pickle.Id] = TimeSpan.FromSeconds(1) };

        var order = new PickleSchedule(pickles, durations).Order.Select(p => p.Name).ToList();

        // 90 s (timed), 60 s (@slow, untimed), 5 s (untimed), 1 s (timed); the @alone one after all of them.
        Assert.Equal(["timed", "sweep", "quick", "also quick", "restarts a broker on its port"], order);
    }

    [Fact]
    public async Task AlonePickle_WaitsUntilNoOtherRuns_When_AnotherBenchIsBusy()
    {
        var schedule = new PickleSchedule(Pickles(Feature));
        var token = TestContext.Current.CancellationToken;
        var taken = new List<string>();
        for (var i = 0; i < 4; i++) taken.Add((await schedule.NextAsync(token))!.Name);

        // Four benches hold the four shared pickles; the fifth asks for work: only the @alone one is left.
        var alone = schedule.NextAsync(token);
        for (var i = 0; i < 3; i++) schedule.Finished();
        Assert.False(alone.IsCompleted);
        schedule.Finished();

        Assert.Equal("restarts a broker on its port", (await alone.WaitAsync(TimeSpan.FromSeconds(10), token))!.Name);
        // Nothing else is left: a bench asking now is done at once, while the alone one still runs.
        var next = schedule.NextAsync(token);
        Assert.True(next.IsCompleted);
        Assert.Null(await next);
        Assert.DoesNotContain("restarts a broker on its port", taken);
    }

    [Fact]
    public void Durations_AreReadPerPickle_From_ARunsNdjson()
    {
        var pickles = Pickles(Feature);
        var id = pickles[0].Pickle.Id;
        var ndjson = """
            {"testCase":{"id":"c1","pickleId":"PICKLE","testSteps":[],"testRunStartedId":"r"}}
            {"testCaseStarted":{"id":"s1","testCaseId":"c1","attempt":0,"timestamp":{"seconds":100,"nanos":0}}}
            {"testCaseFinished":{"testCaseStartedId":"s1","timestamp":{"seconds":112,"nanos":500000000},"willBeRetried":false}}
            {"testCaseStart
            """.Replace("PICKLE", id, StringComparison.Ordinal);

        var durations = ReportDurations.Read(new StringReader(ndjson));

        Assert.Equal(TimeSpan.FromSeconds(12.5), durations[id]);
        Assert.Single(durations);
    }

    [Fact]
    public void PickleIds_AreTheSame_When_TheFileIsLoadedAgain()
    {
        var first = Pickles(Feature).Select(p => p.Pickle.Id).ToList();
        var again = FeatureLoader.Load("s.feature", _directory.FullName).Pickles.Select(p => p.Pickle.Id).ToList();

        Assert.Equal(first, again);
        Assert.Equal(first.Distinct(), first);
    }
}
