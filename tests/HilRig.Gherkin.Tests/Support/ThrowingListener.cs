using HilRig.Gherkin.Execution;

namespace HilRig.Gherkin.Tests.Support;

/// <summary>A listener that throws on every event, as a broken report writer would; counts the calls it got.</summary>
public sealed class ThrowingListener : IRunListener
{
    public int Calls { get; private set; }

    public void OnRunStarted(RunStartedEvent run) => Throw();

    public void OnPickleStarted(TestCasePlan testCase, DateTimeOffset timestamp) => Throw();

    public void OnStepStarted(TestCasePlan testCase, PlannedStep step, DateTimeOffset timestamp) => Throw();

    public void OnAttachment(TestCasePlan testCase, PlannedStep? step, GherkinAttachment attachment) => Throw();

    public void OnStepFinished(TestCasePlan testCase, StepResult result, DateTimeOffset timestamp) => Throw();

    public void OnPickleFinished(TestCasePlan testCase, PickleResult result, DateTimeOffset timestamp) => Throw();

    public void OnRunFinished(RunResult result, DateTimeOffset timestamp) => Throw();

    private void Throw()
    {
        Calls++;
        throw new InvalidOperationException($"broken writer, call {Calls}");
    }
}
