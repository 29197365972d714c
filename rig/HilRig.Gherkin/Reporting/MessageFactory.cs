using System.Reflection;
using System.Runtime.InteropServices;
using HilRig.Gherkin.Bindings;
using HilRig.Gherkin.Execution;
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

    public static Envelope StepDefinition(StepBinding binding) => Envelope.Create(new StepDefinition(
        binding.Id,
        new StepDefinitionPattern(
            binding.Pattern.Source,
            binding.Pattern.IsRegularExpression ? StepDefinitionPatternType.REGULAR_EXPRESSION : StepDefinitionPatternType.CUCUMBER_EXPRESSION),
        SourceOf(binding.Method)));

    public static Envelope Hook(HookBinding hook) => Envelope.Create(new Hook(
        hook.Id,
        hook.Method.Name,
        SourceOf(hook.Method),
        string.IsNullOrEmpty(hook.Filter.Text) ? null : hook.Filter.Text,
        hook.Kind == HookKind.BeforeScenario ? HookType.BEFORE_TEST_CASE : HookType.AFTER_TEST_CASE));

    public static Envelope TestCase(TestCasePlan plan, string runId) => Envelope.Create(new TestCase(
        plan.TestCaseId,
        plan.Pickle.Pickle.Id,
        plan.Steps.Select(TestStep).ToList(),
        runId));

    public static TestStepResult Result(StepResult result)
    {
        var status = result.Status switch
        {
            PickleStatus.Passed => TestStepResultStatus.PASSED,
            PickleStatus.Skipped => TestStepResultStatus.SKIPPED,
            PickleStatus.Pending => TestStepResultStatus.PENDING,
            PickleStatus.Undefined => TestStepResultStatus.UNDEFINED,
            PickleStatus.Ambiguous => TestStepResultStatus.AMBIGUOUS,
            _ => TestStepResultStatus.FAILED,
        };
        var exception = result.ErrorType is null ? null : new MessageException(result.ErrorType, result.ErrorMessage, result.StackTrace);
        return new TestStepResult(Cucumber.Messages.Converters.ToDuration(result.Duration), result.ErrorMessage, status, exception);
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
            step.Matches.Select(m => m.Binding.Id).ToList(),
            step.Matches.Select(m => new StepMatchArgumentsList(m.Arguments.Select(Argument).ToList())).ToList());
    }

    private static StepMatchArgument Argument(StepArgument argument) => new(
        new Group([], argument.Start >= 0 ? argument.Start : null, argument.RawValue),
        argument.ParameterTypeName);

    private static SourceReference SourceOf(MethodInfo method) => new(
        null,
        new JavaMethod(method.DeclaringType?.FullName ?? "", method.Name, method.GetParameters().Select(p => p.ParameterType.FullName ?? p.ParameterType.Name).ToList()),
        null,
        null);
}
