using System.Runtime.InteropServices;
using HilRig.Gherkin.Execution;
using Reqnroll.Bindings.Reflection;
using Io.Cucumber.Messages.Types;
using MessageException = Io.Cucumber.Messages.Types.Exception;

namespace HilRig.Gherkin.Reporting;

/// <summary>Builds Cucumber messages from the runner's types.</summary>
internal static class MessageFactory
{
    public static Envelope Meta()
    {
        var version = Cucumber.Messages.ProtocolVersion.Version.Split('+')[0];
        var implementation = typeof(MessageFactory).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        return Envelope.Create(new Meta(
            version,
            new Product("HilRig.Gherkin", implementation),
            new Product(".NET", Environment.Version.ToString()),
            new Product(RuntimeInformation.OSDescription, null),
            new Product(RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), null),
            null));
    }

    public static Envelope StepDefinition(StepDefinitionInfo definition) => Envelope.Create(new StepDefinition(
        definition.Id,
        new StepDefinitionPattern(
            definition.Pattern,
            definition.IsRegularExpression ? StepDefinitionPatternType.REGULAR_EXPRESSION : StepDefinitionPatternType.CUCUMBER_EXPRESSION),
        SourceOf(definition.Binding.Method)));

    public static Envelope Hook(HookInfo hook) => Envelope.Create(new Hook(
        hook.Id,
        hook.Binding.Method.Name,
        SourceOf(hook.Binding.Method),
        hook.TagExpression,
        hook.Kind switch
        {
            Reqnroll.Bindings.HookType.BeforeScenario => HookType.BEFORE_TEST_CASE,
            Reqnroll.Bindings.HookType.AfterScenario => HookType.AFTER_TEST_CASE,
            // Cucumber messages have no feature hooks: they are run-level hooks (testRunHookStarted) named after their feature.
            Reqnroll.Bindings.HookType.BeforeTestRun or Reqnroll.Bindings.HookType.BeforeFeature => HookType.BEFORE_TEST_RUN,
            _ => HookType.AFTER_TEST_RUN,
        }));

    public static Envelope ParameterType(ParameterTypeInfo parameterType) => Envelope.Create(new ParameterType(
        parameterType.Name,
        [parameterType.Binding.Regex?.ToString() ?? ".*"],
        false,
        false,
        parameterType.Id,
        SourceOf(parameterType.Binding.Method)));

    public static Envelope TestCase(TestCasePlan plan, string runId) => Envelope.Create(new TestCase(
        plan.TestCaseId,
        plan.Pickle.Pickle.Id,
        plan.Steps.Select(TestStep).ToList(),
        runId));

    public static TestStepResult Result(StepResult result) =>
        Result(result.Status, result.Duration, result.ErrorMessage, result.ErrorType, result.StackTrace);

    public static TestStepResult Result(RunHookResult result) =>
        Result(result.Status, result.Duration, result.ErrorMessage, result.ErrorType, result.StackTrace);

    private static TestStepResult Result(PickleStatus pickleStatus, TimeSpan duration, string? errorMessage, string? errorType, string? stackTrace)
    {
        var status = pickleStatus switch
        {
            PickleStatus.Passed => TestStepResultStatus.PASSED,
            PickleStatus.Skipped => TestStepResultStatus.SKIPPED,
            PickleStatus.Pending => TestStepResultStatus.PENDING,
            PickleStatus.Undefined => TestStepResultStatus.UNDEFINED,
            PickleStatus.Ambiguous => TestStepResultStatus.AMBIGUOUS,
            _ => TestStepResultStatus.FAILED,
        };
        var exception = errorType is null ? null : new MessageException(errorType, errorMessage, stackTrace);
        return new TestStepResult(Cucumber.Messages.Converters.ToDuration(duration), errorMessage, status, exception);
    }

    public static Timestamp Timestamp(DateTimeOffset time) => Cucumber.Messages.Converters.ToTimestamp(time.UtcDateTime);

    private static TestStep TestStep(PlannedStep step)
    {
        if (step.Hook is not null)
        {
            return new TestStep(step.Hook.Id, step.Id, null, null, null);
        }

        return new TestStep(
            null,
            step.Id,
            step.PickleStep!.Id,
            step.Matches.Select(m => m.Definition.Id).ToList(),
            step.Matches.Select(m => new StepMatchArgumentsList(m.Arguments.Select(Argument).ToList())).ToList());
    }

    private static StepMatchArgument Argument(PlannedArgument argument) => new(
        new Group([], argument.Start, argument.Value),
        argument.ParameterTypeName);

    private static SourceReference SourceOf(IBindingMethod method) => new(
        null,
        new JavaMethod(method.Type.FullName, method.Name, method.Parameters.Select(p => p.Type.FullName ?? p.Type.Name).ToList()),
        null,
        null);
}
