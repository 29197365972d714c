using Reqnroll;
using Reqnroll.Analytics;
using Reqnroll.Bindings;
using Reqnroll.Configuration;
using Reqnroll.Events;
using Reqnroll.Infrastructure;
using Reqnroll.Plugins;
using Reqnroll.Tracing;
using Reqnroll.UnitTestProvider;

namespace HilRig.Gherkin.Hosting;

/// <summary>
/// The runtime plugin of one run: our unit-test provider (skip, pending), binding assemblies by object or path, no
/// telemetry and no console trace, Cucumber's After-hook order, the conversions old feature files rely on, and the
/// per-scenario <see cref="ScenarioRun"/>. Created from code by <see cref="HostContainerBuilder"/>.
/// </summary>
internal sealed class HostPlugin(IReqnrollHost host) : IRuntimePlugin
{
    public const string ProviderName = "hilrig";

    public void Initialize(RuntimePluginEvents runtimePluginEvents, RuntimePluginParameters runtimePluginParameters,
        UnitTestProviderConfiguration unitTestProviderConfiguration)
    {
        unitTestProviderConfiguration.UseUnitTestProvider(ProviderName);

        // Raised after reqnroll.json (if any) was read: the run's own settings have the last word.
        runtimePluginEvents.ConfigurationDefaults += (_, e) =>
        {
            var configuration = e.ReqnrollConfiguration;
            configuration.AdditionalStepAssemblies.Clear();
            configuration.AdditionalStepAssemblies.AddRange(host.BindingAssemblies.Select(StepAssemblyLoader.KeyOf));
            configuration.AdditionalStepAssemblies.AddRange(host.StepAssemblyPaths);
            // Statuses come from the step events; these keep what CollectScenarioErrorsAsync throws predictable.
            configuration.StopAtFirstError = false;
            configuration.MissingOrPendingStepsOutcome = MissingOrPendingStepsOutcome.Pending;
        };

        runtimePluginEvents.RegisterGlobalDependencies += (_, e) =>
        {
            var container = e.ObjectContainer;
            container.RegisterTypeAs<HostUnitTestRuntimeProvider, IUnitTestRuntimeProvider>(ProviderName);
            container.RegisterInstanceAs<IBindingAssemblyLoader>(new StepAssemblyLoader(host.BindingAssemblies));
            container.RegisterTypeAs<TelemetryOff, IEnvironmentReqnrollTelemetryChecker>();
            container.RegisterTypeAs<SilentTraceListener, ITraceListener>();
            container.RegisterTypeAs<CucumberOrderBindingRegistry, IBindingRegistry>();
            container.RegisterTypeAs<OptionalGroupMatchArgumentCalculator, IMatchArgumentCalculator>();
        };

        runtimePluginEvents.CustomizeGlobalDependencies += (_, e) =>
            e.ObjectContainer.Resolve<RuntimePluginTestExecutionLifecycleEvents>().AfterScenarioAsync += (_, _) => host.AfterScenarioHooksAsync();

        runtimePluginEvents.CustomizeTestThreadDependencies += (_, e) =>
        {
            var container = e.ObjectContainer;
            // The unit-test plugins register it, Reqnroll's core does not: without it IReqnrollOutputHelper cannot be built.
            container.RegisterTypeAs<ReqnrollAttachmentHandler, IReqnrollAttachmentHandler>();
            container.RegisterTypeAs<SilentTraceListener, ITraceListener>();
            container.RegisterTypeAs<LenientStepArgumentTypeConverter, IStepArgumentTypeConverter>();
            container.Resolve<ITestThreadExecutionEventPublisher>().AddListener(new EventForwarder(host));
        };

        runtimePluginEvents.CustomizeScenarioDependencies += (_, e) => host.CustomizeScenario(e.ObjectContainer);
    }

    private sealed class EventForwarder(IReqnrollHost host) : IAsyncExecutionEventListener
    {
        public Task OnEventAsync(IExecutionEvent executionEvent) => host.OnExecutionEventAsync(executionEvent);
    }
}

/// <summary>What Reqnroll calls for skip, pending and undefined; the exceptions come back to the run as statuses.</summary>
internal sealed class HostUnitTestRuntimeProvider : IUnitTestRuntimeProvider
{
    public void TestPending(string message) => throw new HostPendingException(message);

    public void TestInconclusive(string message) => throw new HostPendingException(message);

    public void TestIgnore(string message) => throw new SkipScenarioException(message);

    public ScenarioExecutionStatus? DetectExecutionStatus(Exception exception) => exception switch
    {
        SkipScenarioException => ScenarioExecutionStatus.Skipped,
        HostPendingException => ScenarioExecutionStatus.StepDefinitionPending,
        // A driver's constructor that skips (a bench that cannot run the scenario) reaches Reqnroll wrapped by reflection.
        System.Reflection.TargetInvocationException { InnerException: SkipScenarioException } => ScenarioExecutionStatus.Skipped,
        _ => null,
    };
}

/// <summary>Reqnroll's "pending" or "undefined" for the scenario (its message names the steps).</summary>
internal sealed class HostPendingException(string message) : Exception(message);

/// <summary>Reqnroll would send an HTTP telemetry event at the start of a run: never here.</summary>
internal sealed class TelemetryOff : IEnvironmentReqnrollTelemetryChecker
{
    public bool IsReqnrollTelemetryEnabled() => false;
}

/// <summary>Reqnroll's own trace writes every step to the console; the run's listeners report instead.</summary>
internal sealed class SilentTraceListener : ITraceListener
{
    public void WriteTestOutput(string message)
    {
    }

    public void WriteToolOutput(string message)
    {
    }
}
