using Reqnroll.Bindings;

namespace HilRig.Gherkin.Hosting;

/// <summary>
/// Cucumber's hook order: After hooks run in the reverse of the Before hooks' order. Reqnroll runs every hook type in
/// ascending Order (After hooks too), and equal Orders in declaration order; this registry stores each After hook
/// with its Order negated and hands them out last-declared first, so the engine's ascending sort runs the highest
/// Order first and, within one Order, the last declared first (as Cucumber-JVM does). Before hooks are unchanged.
/// </summary>
internal sealed class CucumberOrderBindingRegistry : BindingRegistry
{
    private bool _hooksSuppressed;

    /// <summary>From now on no hook runs: the run found binding errors and runs nothing, not even its run-level hooks.</summary>
    public void SuppressHooks() => _hooksSuppressed = true;

    public override void RegisterHookBinding(IHookBinding hookBinding)
    {
        ArgumentNullException.ThrowIfNull(hookBinding);
        base.RegisterHookBinding(IsAfter(hookBinding.HookType)
            // A HookBinding (a MethodBinding) still: the invoker refuses any other IHookBinding.
            ? new HookBinding(hookBinding.Method, hookBinding.HookType, hookBinding.BindingScope, -hookBinding.HookOrder)
            : hookBinding);
    }

    public override IEnumerable<IHookBinding> GetHooks(HookType bindingEvent) =>
        _hooksSuppressed ? [] : IsAfter(bindingEvent) ? base.GetHooks(bindingEvent).Reverse() : base.GetHooks(bindingEvent);

    public static bool IsAfter(HookType hookType) => hookType is HookType.AfterScenario or HookType.AfterFeature
        or HookType.AfterTestRun or HookType.AfterStep or HookType.AfterScenarioBlock;
}
