using System.Reflection;
using Reqnroll.BoDi;
using Reqnroll.Events;

namespace HilRig.Gherkin.Hosting;

/// <summary>What the plugin of one run asks of the run it belongs to (each run has its own Reqnroll global container).</summary>
internal interface IReqnrollHost
{
    /// <summary>The binding assemblies given as <see cref="Assembly"/> objects.</summary>
    IReadOnlyList<Assembly> BindingAssemblies { get; }

    /// <summary>The binding assemblies given as dll paths.</summary>
    IReadOnlyList<string> StepAssemblyPaths { get; }

    /// <summary>A scenario container was created: register <see cref="ScenarioRun"/> and the host's services in it.</summary>
    void CustomizeScenario(IObjectContainer scenarioContainer);

    /// <summary>After the <c>[AfterScenario]</c> hooks: dispose the scenario's asynchronously disposable objects.</summary>
    Task AfterScenarioHooksAsync();

    /// <summary>One of Reqnroll's execution events (steps, hooks, output), in the flow that raised it.</summary>
    Task OnExecutionEventAsync(IExecutionEvent executionEvent);
}
