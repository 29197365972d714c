using HilRig.Gherkin.Tests.Support;
using Reqnroll;
using Reqnroll.UnitTestProvider;

namespace HilRig.Gherkin.Tests.StepDefinitions;

/// <summary>Scenario hooks whose order the tests read: After hooks run in Cucumber's (reverse) order.</summary>
[Binding]
public sealed class OrderHooks(Probe probe)
{
    [BeforeScenario("@order", Order = 20)]
    public void Before20() => probe.Add("before 20");

    [BeforeScenario("@order", Order = 10)]
    public void Before10() => probe.Add("before 10");

    [AfterScenario("@order", Order = 10)]
    public void After10() => probe.Add("after 10");

    [AfterScenario("@order", Order = 20)]
    public void After20() => probe.Add("after 20");

    [AfterScenario("@order")]
    public void AfterDefault() => probe.Add("after default");

    [AfterScenario("@order")]
    public void AfterDefaultDeclaredLater() => probe.Add("after default declared later");
}

/// <summary>A hook written only against Reqnroll's API that skips the scenario the Reqnroll way.</summary>
[Binding]
public sealed class BenchRequirementHooks(IUnitTestRuntimeProvider runtime)
{
    [BeforeScenario("@needs-bench")]
    public void RequireBench() => runtime.TestIgnore("no bench is wired to this machine");
}

/// <summary>What the run-level hooks did; a test registers its own through ConfigureServices (else BoDi makes one per run).</summary>
public sealed class RunHookLog
{
    public List<string> Events { get; } = [];

    public bool FailBeforeTestRun { get; init; }
}

[Binding]
public static class RunHooks
{
    [BeforeTestRun]
    public static void BeforeTestRun(RunHookLog log)
    {
        log.Events.Add("before test run");
        if (log.FailBeforeTestRun)
        {
            throw new InvalidOperationException("the bench power supply does not answer");
        }
    }

    [AfterTestRun]
    public static void AfterTestRun(RunHookLog log) => log.Events.Add("after test run");
}

public sealed record Node(string Id);

[Binding]
public sealed class NodeSteps(Probe probe)
{
    /// <summary>A Cucumber expression parameter type: <c>{node}</c>.</summary>
    [StepArgumentTransformation(@"(n\d+)", Name = "node")]
    public static Node ToNode(string id) => new(id);

    [Given("node {node} is powered")]
    public void GivenNodeIsPowered(Node node) => probe.Add($"powered {node.Id}");

    [Then("node {node} reads firmware {string}")]
    public void ThenNodeReadsFirmware(Node node, string version) => probe.Add($"{node.Id} firmware {version}");
}

[Binding]
public sealed class ConversionSteps(Probe probe)
{
    [Given("the chip mode is {}")]
    public void GivenTheChipMode(BenchMode mode) => probe.Add($"mode {mode}");

    [Given("the flag is {word}")]
    public void GivenTheFlag(bool flag) => probe.Add($"flag {flag}");

    [Given(@"^the address is (\S+)$")]
    public void GivenTheAddress(int address) => probe.Add($"address {address}");

    [Then(@"^the chip answers(?: within (\d+) ms)?$")]
    public void ThenTheChipAnswers(int? ms) => probe.Add($"answers within {ms?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any time"}");
}

/// <summary>A driver whose stop fails, as a bench double that does not exit would.</summary>
public sealed class StubbornDriver : IAsyncDisposable
{
    public ValueTask DisposeAsync() => throw new InvalidOperationException("the bench double did not stop");
}

[Binding]
public sealed class OutputSteps(IReqnrollOutputHelper output)
{
    [Given("the QA library logs {string} and attaches a file")]
    public void GivenTheQaLibraryLogs(string text)
    {
        output.WriteLine(text);
        var path = Path.Combine(Path.GetTempPath(), $"hilrig-capture-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "captured bytes");
        output.AddAttachment(path);
        File.Delete(path);
    }
}

[Binding]
public sealed class StubbornSteps(StubbornDriver driver)
{
    [Given("a driver that fails to stop is used")]
    public void GivenAStubbornDriver() => GC.KeepAlive(driver);
}

/// <summary>A driver that finds, when it is built, that the bench cannot run the scenario.</summary>
public sealed class HardwareOnlyDriver
{
    public HardwareOnlyDriver() => throw new SkipScenarioException("this driver needs a wired bench");
}

[Binding]
public sealed class HardwareOnlySteps(HardwareOnlyDriver driver)
{
    [Given("a step whose driver cannot run here")]
    public void GivenAStepWhoseDriverCannotRun() => GC.KeepAlive(driver);
}

[Binding]
public static class BrokenFeatureHooks
{
    [BeforeFeature("@broken-feature-hook")]
    public static void BeforeFeature() => throw new InvalidOperationException("the feature's bench did not boot");
}

/// <summary>A synchronously disposable resource whose Dispose throws (BoDi disposes it with the scenario container).</summary>
public sealed class StubbornResource : IDisposable
{
    public void Dispose() => throw new IOException("the capture file could not be closed");
}

[Binding]
public sealed class StubbornResourceSteps(StubbornResource resource)
{
    [Given("a resource that fails to close is used")]
    public void GivenAStubbornResource() => GC.KeepAlive(resource);
}
