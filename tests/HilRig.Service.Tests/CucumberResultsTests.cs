using HilRig.Gherkin.Reporting;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>Scenario results read from a run's Cucumber messages: every status kept, counted, and a run with any of them not passed.</summary>
public sealed class CucumberResultsTests
{
    [Fact]
    public void Every_cucumber_status_is_kept_and_counted_from_the_worst_step_of_each_test_case()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("hilrig-ndjson-").FullName, "cucumber-messages.ndjson");
        try
        {
            var lines = new List<string>
            {
                """{"meta":{"protocolVersion":"35.0.0"}}""",
                """{"gherkinDocument":{"uri":"scenarios/a.feature","feature":{"name":"F"}}}""",
                """{"attachment":{"body":"not a result, {\"testCaseFinished\":{}}"}}""",
            };
            string[] statuses = ["PASSED", "FAILED", "UNDEFINED", "AMBIGUOUS", "PENDING", "SKIPPED"];
            for (var i = 0; i < statuses.Length; i++)
            {
                lines.Add($$$$"""{"pickle":{"id":"p{{{{i}}}}","uri":"scenarios/a.feature","location":{"line":{{{{10 + i}}}},"column":3},"name":"S{{{{i}}}}"}}""");
                lines.Add($$$$"""{"testCase":{"id":"t{{{{i}}}}","pickleId":"p{{{{i}}}}"}}""");
                lines.Add($$$$"""{"testCaseStarted":{"id":"s{{{{i}}}}","testCaseId":"t{{{{i}}}}","attempt":0}}""");
                // A passed step first, then the step that decides; then a skipped one after it, as Cucumber does.
                lines.Add($$$$"""{"testStepFinished":{"testCaseStartedId":"s{{{{i}}}}","testStepResult":{"status":"PASSED"}}}""");
                lines.Add($$$$"""{"testStepFinished":{"testCaseStartedId":"s{{{{i}}}}","testStepResult":{"status":"{{{{statuses[i]}}}}","message":"why {{{{i}}}}\nstack"}}}""");
                if (i != 0) lines.Add($$$$"""{"testStepFinished":{"testCaseStartedId":"s{{{{i}}}}","testStepResult":{"status":"SKIPPED"}}}""");
                lines.Add($$$$"""{"testCaseFinished":{"testCaseStartedId":"s{{{{i}}}}","willBeRetried":false}}""");
            }
            // A first attempt that will be retried does not count; only the retry's result does.
            lines.Add("""{"testCaseStarted":{"id":"r1","testCaseId":"t0","attempt":0}}""");
            lines.Add("""{"testStepFinished":{"testCaseStartedId":"r1","testStepResult":{"status":"FAILED"}}}""");
            lines.Add("""{"testCaseFinished":{"testCaseStartedId":"r1","willBeRetried":true}}""");
            File.WriteAllLines(path, lines);
            // The runner is in the middle of its next line: it is not read yet.
            File.AppendAllText(path, """{"testCaseStarted":{"id":"half""");

            var results = new CucumberResults(path);
            Assert.True(results.Read());

            Assert.Equal(["passed", "failed", "undefined", "ambiguous", "pending", "skipped"], results.Results.Select(r => r.Status));
            Assert.Equal("F: S1", results.Results[1].Name);
            Assert.Equal("scenarios/a.feature:11", results.Results[1].Location);
            Assert.Equal("why 1", results.Results[1].Detail);
            Assert.Null(results.Results[0].Detail);
            var run = new RunRecord { Id = "x", Request = new RunRequest(null, null, null, null), Bench = "b", Wiring = "w", Seed = 1 }.WithScenarios(results.Results);
            Assert.Equal((1, 1, 1, 1, 1, 1), (run.Passed, run.Failed, run.Undefined, run.Ambiguous, run.Pending, run.Skipped));
            Assert.Equal(5, run.NotPassed);
            // Skipped does not fail a run (as `hilrig run` and Cucumber see it); the other four do.
            Assert.Equal(4, run.Unsuccessful);
            Assert.Equal("1 passed, 1 failed, 1 undefined, 1 ambiguous, 1 pending, 1 skipped", RunManager.Summary(run));

            // The half line completes: the next read takes it, and nothing twice.
            File.AppendAllText(path, "\",\"testCaseId\":\"t0\"}}\n" + """{"testCaseFinished":{"testCaseStartedId":"half","willBeRetried":false}}""" + "\n");
            Assert.True(results.Read());
            Assert.Equal(7, results.Results.Count);
            Assert.Equal(("F: S0", "passed"), (results.Results[6].Name, results.Results[6].Status));
            Assert.False(results.Read());
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
