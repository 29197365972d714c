using System.Reflection;
using HilRig.Gherkin.Features;
using HilRig.Gherkin.Hosting;
using Reqnroll;
using Reqnroll.Bindings;
using Reqnroll.BoDi;
using Reqnroll.Events;

namespace HilRig.Gherkin.Execution;

/// <summary>
/// Reqnroll's view of a set of binding assemblies without running anything: the bindings it found (and their errors)
/// and the test case a pickle would get (matches, arguments, hooks, snippets). No hook runs, not even when it is
/// disposed. For tools and tests that check feature files against the step library (a fuzzer, a linter).
/// </summary>
public sealed class BindingInspector : IAsyncDisposable
{
    private readonly ITestRunnerManager _manager;
    private readonly ITestRunner _runner;
    private readonly TestCasePlanner _planner;
    private readonly Dictionary<FeatureFile, FeatureInfo> _featureInfos = [];

    private BindingInspector(ITestRunnerManager manager, ITestRunner runner, BindingCatalog catalog)
    {
        _manager = manager;
        _runner = runner;
        Catalog = catalog;
        _planner = new TestCasePlanner(catalog);
    }

    /// <summary>The step definitions, hooks, parameter types and binding errors.</summary>
    public BindingCatalog Catalog { get; }

    /// <summary>Loads the bindings of <paramref name="bindingAssemblies"/> and of the dlls at <paramref name="stepAssemblyPaths"/>.</summary>
    public static BindingInspector Open(IEnumerable<Assembly> bindingAssemblies, IReadOnlyList<string>? stepAssemblyPaths = null)
    {
        ArgumentNullException.ThrowIfNull(bindingAssemblies);
        ReqnrollEnvironment.Prepare();
        var host = new QuietHost([.. bindingAssemblies.Distinct()], stepAssemblyPaths ?? []);
        var global = new HostContainerBuilder(host).CreateGlobalContainer(typeof(BindingInspector).Assembly);
        var manager = global.Resolve<ITestRunnerManager>();
        manager.Initialize(typeof(BindingInspector).Assembly);
        (global.Resolve<IBindingRegistry>() as CucumberOrderBindingRegistry)?.SuppressHooks();
        var runner = manager.GetTestRunner();
        return new BindingInspector(manager, runner, RunSession.CatalogOf(runner.TestThreadContext.TestThreadContainer.Resolve<IBindingRegistry>()));
    }

    /// <summary>The test case Reqnroll would run for <paramref name="pickle"/>. Throws Reqnroll's BindingException when the bindings have errors.</summary>
    public TestCasePlan Plan(PickleInfo pickle)
    {
        ArgumentNullException.ThrowIfNull(pickle);
        if (!_featureInfos.TryGetValue(pickle.Feature, out var featureInfo))
        {
            featureInfo = _featureInfos[pickle.Feature] = ReqnrollModel.FeatureInfoOf(pickle.Feature);
        }

        return _planner.Plan(pickle, featureInfo, ReqnrollModel.PickleOf(pickle), _runner.TestThreadContext.TestThreadContainer);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _manager.ReleaseTestRunnerToPool(_runner);
        await _manager.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class QuietHost(IReadOnlyList<Assembly> bindingAssemblies, IReadOnlyList<string> stepAssemblyPaths) : IReqnrollHost
    {
        public IReadOnlyList<Assembly> BindingAssemblies => bindingAssemblies;

        public IReadOnlyList<string> StepAssemblyPaths => stepAssemblyPaths;

        public void CustomizeScenario(IObjectContainer scenarioContainer)
        {
        }

        public Task AfterScenarioHooksAsync() => Task.CompletedTask;

        public Task OnExecutionEventAsync(IExecutionEvent executionEvent) => Task.CompletedTask;
    }
}
