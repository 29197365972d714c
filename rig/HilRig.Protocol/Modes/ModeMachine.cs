using HilRig.Protocol.Messages;

namespace HilRig.Protocol.Modes;

/// <summary>What makes a chip change mode (docs/protocol.md §6).</summary>
public enum ModeEvent
{
    /// <summary>START for me, header OK, not already upgraded (new transfer or resume, §6.2 steps 3 to 5).</summary>
    StartForMe,
    /// <summary>START for me, already upgraded in this campaign (§6.2 step 2; COMPLETE follows).</summary>
    StartForMeAlreadyUpgraded,
    /// <summary>START for another chip, this chip not DONE in the START's campaign (§6.2).</summary>
    StartForOther,
    /// <summary>START for another chip, this chip DONE in the START's campaign (§6.2, §6.4).</summary>
    StartForOtherDoneHere,
    /// <summary>The target's last byte is persisted and checked: activated or rejected, COMPLETE sent (§7.4).</summary>
    TransferEnded,
    /// <summary>A COMPLETE received, whatever its campaign and chip (§6.5).</summary>
    Complete,
    /// <summary>A PREPARE of another campaign abandons the running one (§7.1).</summary>
    PrepareOfAnotherCampaign,
}

/// <summary>One row of the mode table.</summary>
/// <param name="From">Mode before.</param>
/// <param name="Event">What happened.</param>
/// <param name="To">Mode after.</param>
/// <param name="Label">The row in the words of docs/protocol.md §6 (the diagram's edge label).</param>
/// <param name="Persisted">What the chip writes to its mark (§9.2, write-ahead) before it answers.</param>
public sealed record ModeTransition(ChipMode From, ModeEvent Event, ChipMode To, string Label, string Persisted);

/// <summary>
/// The protocol's mode machine (docs/protocol.md §6) as data: the one place that says which mode follows
/// which. The C# chip, the observer, the timeline picture, the live page and the scenario drivers ask it;
/// the diagram in §6.1 is checked against it and the C chip's table (core/hr_mode.c) too.
/// A (mode, event) pair not in the table changes nothing (a refused START, a PREPARE in SLEEP, ...).
/// </summary>
public static class ModeMachine
{
    private const string MarkMode = "mode";
    private const string NewTransfer = "mode=UPGRADE, state=RECEIVING, campaign, persisted=0, size and digest of the header (new transfer); nothing on a resume";

    /// <summary>Every transition, in the order §6.1's diagram draws them.</summary>
    public static IReadOnlyList<ModeTransition> Transitions { get; } =
    [
        new(ChipMode.Initial, ModeEvent.StartForMe, ChipMode.Upgrade, "START for me, header OK, not done", NewTransfer),
        new(ChipMode.Initial, ModeEvent.StartForOther, ChipMode.PassThrough, "START for another chip, not DONE in this campaign", "mode=PASS_THROUGH, campaign, state=IDLE"),
        new(ChipMode.Initial, ModeEvent.StartForOtherDoneHere, ChipMode.Sleep, "START for another chip, DONE in this campaign", "mode=SLEEP, campaign, state=DONE"),
        new(ChipMode.Initial, ModeEvent.StartForMeAlreadyUpgraded, ChipMode.Initial, "START for me, already upgraded (COMPLETE follows)", "nothing"),
        new(ChipMode.Initial, ModeEvent.Complete, ChipMode.Initial, "COMPLETE", "nothing"),
        new(ChipMode.PassThrough, ModeEvent.StartForMe, ChipMode.Upgrade, "START for me, header OK, not done", NewTransfer),
        new(ChipMode.PassThrough, ModeEvent.StartForOther, ChipMode.PassThrough, "START for another chip, not DONE in this campaign", "campaign and state=IDLE when they differ"),
        new(ChipMode.PassThrough, ModeEvent.StartForOtherDoneHere, ChipMode.Sleep, "START for another chip, DONE in this campaign", "mode=SLEEP, campaign, state=DONE"),
        new(ChipMode.PassThrough, ModeEvent.Complete, ChipMode.Initial, "COMPLETE", MarkMode),
        new(ChipMode.PassThrough, ModeEvent.StartForMeAlreadyUpgraded, ChipMode.Initial, "START for me already upgraded", MarkMode),
        new(ChipMode.PassThrough, ModeEvent.PrepareOfAnotherCampaign, ChipMode.Initial, "PREPARE of another campaign", "mode=INITIAL, state IDLE unless DONE"),
        new(ChipMode.Upgrade, ModeEvent.StartForMe, ChipMode.Upgrade, "START for me (resume or restart)", NewTransfer),
        new(ChipMode.Upgrade, ModeEvent.TransferEnded, ChipMode.Initial, "last byte persisted, verified, mark written, COMPLETE sent", "mode=INITIAL, state=DONE and the other slot (activated) or state=FAILED (rejected)"),
        new(ChipMode.Upgrade, ModeEvent.Complete, ChipMode.Initial, "COMPLETE received", MarkMode),
        new(ChipMode.Upgrade, ModeEvent.StartForOther, ChipMode.PassThrough, "START for another chip", "mode=PASS_THROUGH, campaign, state=IDLE"),
        new(ChipMode.Upgrade, ModeEvent.StartForOtherDoneHere, ChipMode.Sleep, "START for another chip, DONE in this campaign", "mode=SLEEP, campaign, state=DONE"),
        new(ChipMode.Upgrade, ModeEvent.StartForMeAlreadyUpgraded, ChipMode.Initial, "START for me already upgraded", MarkMode),
        new(ChipMode.Upgrade, ModeEvent.PrepareOfAnotherCampaign, ChipMode.Initial, "PREPARE of another campaign", "mode=INITIAL, state IDLE unless DONE"),
        new(ChipMode.Sleep, ModeEvent.Complete, ChipMode.Initial, "COMPLETE (any source, any destination)", MarkMode),
        new(ChipMode.Sleep, ModeEvent.StartForOtherDoneHere, ChipMode.Sleep, "the START that put it to sleep, again (answered, no mark write)", "nothing"),
    ];

    /// <summary>The mode a chip in <paramref name="from"/> is in after <paramref name="modeEvent"/>: the table's row, or <paramref name="from"/> when no row applies.</summary>
    public static ChipMode Next(ChipMode from, ModeEvent modeEvent) =>
        Transitions.FirstOrDefault(t => t.From == from && t.Event == modeEvent)?.To ?? from;

    /// <summary>Whether some event takes a chip from <paramref name="from"/> to <paramref name="to"/> (staying is always allowed).</summary>
    public static bool CanFollow(ChipMode from, ChipMode to) => from == to || Transitions.Any(t => t.From == from && t.To == to);

    /// <summary>The mode every chip a COMPLETE passes is in afterwards (§6.5): the same from every mode.</summary>
    public static ChipMode AfterComplete => Next(ChipMode.Sleep, ModeEvent.Complete);

    /// <summary>
    /// The one mode in which a chip answers no STATUS_REQ (§6.1's table, §6.4): the rig reads a chip that stays
    /// silent while powered and alive as being in it.
    /// </summary>
    public static ChipMode Silent => ChipMode.Sleep;

    /// <summary>Whether a chip in <paramref name="mode"/> answers STATUS_REQ (§6.1's table: every mode but SLEEP).</summary>
    public static bool AnswersStatus(ChipMode mode) => mode != Silent;

    /// <summary>The mode a chip boots into without a valid mark (factory, §6.6).</summary>
    public static ChipMode Factory => ChipMode.Initial;

    /// <summary>The name of a mode on the wire of text records (chip records, docs/protocol.md §11.2): INITIAL, UPGRADE, PASS_THROUGH, SLEEP.</summary>
    public static string WireName(ChipMode mode) => mode switch
    {
        ChipMode.Initial => "INITIAL",
        ChipMode.Upgrade => "UPGRADE",
        ChipMode.PassThrough => "PASS_THROUGH",
        ChipMode.Sleep => "SLEEP",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "not a mode of docs/protocol.md §6"),
    };

    /// <summary>Reads a mode's wire name (<see cref="WireName"/>) or its C# name ("PassThrough"); null for anything else.</summary>
    public static ChipMode? ParseName(string text)
    {
        foreach (var mode in Enum.GetValues<ChipMode>())
        {
            if (text == WireName(mode) || text == mode.ToString()) return mode;
        }
        return null;
    }

    /// <summary>
    /// §6.1's diagram, made from the table: one edge per (from, to) pair, labels of its rows joined by " / ".
    /// </summary>
    public static string ToMermaid()
    {
        var lines = new List<string>
        {
            "stateDiagram-v2",
            "    [*] --> Initial : power-on without a valid mark (factory)",
            "    [*] --> Persisted : power-on with a valid mark",
        };
        lines.AddRange(Enum.GetValues<ChipMode>().Select(m => $"    Persisted --> {m}"));
        lines.AddRange(Edges().Select(e => $"    {e.From} --> {e.To} : {e.Label}"));
        return string.Join('\n', lines) + "\n";
    }

    /// <summary>The table's edges as the diagram draws them: one per (from, to) pair, labels joined by " / ".</summary>
    public static IReadOnlyList<(ChipMode From, ChipMode To, string Label)> Edges() =>
        Transitions.GroupBy(t => (t.From, t.To))
            .Select(g => (g.Key.From, g.Key.To, string.Join(" / ", g.Select(t => t.Label))))
            .ToList();
}
