using HilRig.Core.Faults;
using HilRig.Core.Links;
using HilRig.Core.Verification;

namespace HilRig.Scenarios.Drivers;

/// <summary>
/// The scenario's fault engine: faults are armed on the running bench before the action under test, and
/// their outcomes (with the recovery check after each power cut) are collected for the Then steps.
/// </summary>
public sealed class FaultDriver(BenchDriver bench) : IAsyncDisposable
{
    private FaultEngine? _engine;

    /// <summary>The engine (created with the bench's first fault).</summary>
    public FaultEngine Engine => _engine ??= new FaultEngine(bench.Bench);

    /// <summary>Arms a fault.</summary>
    public void Arm(IFaultTrigger trigger, IFaultAction action) => Engine.Arm(new FaultSpec(trigger, action));

    /// <summary>Outcomes of every armed fault (waits for recoveries still under way).</summary>
    public Task<IReadOnlyList<FaultOutcome>> OutcomesAsync() =>
        _engine is null ? Task.FromResult<IReadOnlyList<FaultOutcome>>([]) : _engine.OutcomesAsync(TimeSpan.FromSeconds(60));

    /// <summary>Turns the words of a step into a trigger (see the phrases in <see cref="TriggerPhrases"/>).</summary>
    public IFaultTrigger Trigger(string phrase) => TriggerPhrases.Parse(phrase, bench);

    /// <summary>The power-cut action for "the whole device", "the module" or a chip name.</summary>
    public PowerCut PowerCut(string who, TimeSpan duration) => who switch
    {
        "the whole device" => Core.Faults.PowerCut.WholeDevice(bench.Bench, duration),
        "the module" => new PowerCut([Core.Wiring.ModuleWiring.Name], duration),
        _ => new PowerCut([bench.Chip(who).Name], duration),
    };

    /// <summary>Parses "down"/"downstream"/"up"/"upstream".</summary>
    public static Direction DirectionOf(string word) => word.StartsWith("down", StringComparison.Ordinal) ? Direction.Downstream : Direction.Upstream;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_engine is not null) await _engine.DisposeAsync();
    }
}
