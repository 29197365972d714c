using System.Text.RegularExpressions;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;
using HilRig.Protocol.Tests.Support;
using Xunit;

namespace HilRig.Protocol.Tests.Modes;

/// <summary>The one mode table against the diagram of docs/protocol.md §6.1 and the C chip's table (core/hr_mode.c).</summary>
public sealed class ModeMachineTests
{
    [Fact]
    public void Diagram_HasExactlyTheTablesEdges_When_ReadFromTheProtocolPage()
    {
        var page = File.ReadAllLines(Path.Combine(TestRepository.Root, "docs", "protocol.md"));
        var start = Array.FindIndex(page, l => l.Trim() == "stateDiagram-v2");
        Assert.True(start > 0, "docs/protocol.md has no stateDiagram-v2 block (§6.1)");
        var drawn = new List<string>();
        for (var i = start + 1; i < page.Length && !page[i].StartsWith("```", StringComparison.Ordinal); i++)
        {
            var m = Regex.Match(page[i], @"^\s*(\w+) --> (\w+)(?: : (.*))?$");
            if (m.Success && m.Groups[1].Value != "Persisted")
            {
                drawn.Add($"{m.Groups[1].Value} --> {m.Groups[2].Value} : {m.Groups[3].Value.Trim()} (docs/protocol.md line {i + 1})");
            }
        }
        var table = ModeMachine.Edges().Select(e => $"{e.From} --> {e.To} : {e.Label}").ToList();
        string Edge(string line) => line[..line.LastIndexOf(" (docs/", StringComparison.Ordinal)];

        foreach (var line in drawn)
        {
            Assert.True(table.Contains(Edge(line)), $"the diagram draws an edge the mode table does not have: {line}");
        }
        foreach (var edge in table)
        {
            Assert.True(drawn.Select(Edge).Contains(edge), $"the diagram lacks the mode table's edge: {edge}");
        }
    }

    [Fact]
    public void Diagram_IsTheTablesMermaid_When_Generated()
    {
        var page = File.ReadAllText(Path.Combine(TestRepository.Root, "docs", "protocol.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

        // The block in the page is exactly what the table prints (ModeMachine.ToMermaid), so the two cannot drift.
        Assert.Contains("```mermaid\n" + ModeMachine.ToMermaid() + "```", page, StringComparison.Ordinal);
    }

    [Fact]
    public void CChipTable_HasTheSameRows_When_ReadFromItsSource()
    {
        var source = File.ReadAllLines(Path.Combine(TestRepository.Root, "firmware-images", "reference-chip", "core", "hr_mode.c"));
        var rows = source
            .Select((text, index) => (Match: Regex.Match(text, @"^\s*\{HR_MODE_(\w+), HR_EV_(\w+), HR_MODE_(\w+)\},"), Line: index + 1))
            .Where(r => r.Match.Success)
            .Select(r => ($"{Mode(r.Match.Groups[1].Value)} + {Event(r.Match.Groups[2].Value)} -> {Mode(r.Match.Groups[3].Value)}", r.Line))
            .ToList();
        var table = ModeMachine.Transitions.Select(t => $"{t.From} + {t.Event} -> {t.To}").ToList();

        foreach (var (row, line) in rows)
        {
            Assert.True(table.Contains(row), $"core/hr_mode.c line {line}: {row} is not a row of HilRig.Protocol.Modes.ModeMachine");
        }
        foreach (var row in table)
        {
            Assert.True(rows.Any(r => r.Item1 == row), $"core/hr_mode.c lacks the mode table's row {row}");
        }
    }

    [Theory]
    [InlineData(ChipMode.Initial, ModeEvent.StartForMe, ChipMode.Upgrade)]
    [InlineData(ChipMode.Upgrade, ModeEvent.StartForOther, ChipMode.PassThrough)]
    [InlineData(ChipMode.PassThrough, ModeEvent.StartForOtherDoneHere, ChipMode.Sleep)]
    [InlineData(ChipMode.Sleep, ModeEvent.Complete, ChipMode.Initial)]
    [InlineData(ChipMode.Sleep, ModeEvent.StartForMe, ChipMode.Sleep)]
    [InlineData(ChipMode.Initial, ModeEvent.PrepareOfAnotherCampaign, ChipMode.Initial)]
    public void Next_FollowsTheTable_When_AnEventComes(ChipMode from, ModeEvent modeEvent, ChipMode expected)
    {
        Assert.Equal(expected, ModeMachine.Next(from, modeEvent));
    }

    [Fact]
    public void AfterComplete_IsInitial_From_EveryMode()
    {
        Assert.All(Enum.GetValues<ChipMode>(), m => Assert.Equal(ChipMode.Initial, ModeMachine.Next(m, ModeEvent.Complete)));
        Assert.Equal(ChipMode.Initial, ModeMachine.AfterComplete);
    }

    [Fact]
    public void CanFollow_IsFalse_When_NoEventLeadsThere()
    {
        Assert.False(ModeMachine.CanFollow(ChipMode.Sleep, ChipMode.Upgrade));
        Assert.True(ModeMachine.CanFollow(ChipMode.Sleep, ChipMode.Initial));
    }

    [Fact]
    public void AnswersStatus_IsFalse_Only_When_Asleep()
    {
        Assert.Equal([ChipMode.Sleep], Enum.GetValues<ChipMode>().Where(m => !ModeMachine.AnswersStatus(m)));
    }

    [Fact]
    public void WireName_RoundTrips_For_EveryMode()
    {
        Assert.All(Enum.GetValues<ChipMode>(), m => Assert.Equal(m, ModeMachine.ParseName(ModeMachine.WireName(m))));
        Assert.Null(ModeMachine.ParseName("1"));
    }

    private static ChipMode Mode(string c) => ModeMachine.ParseName(c) ?? throw new FormatException($"core/hr_mode.c: '{c}' is not a mode");

    private static ModeEvent Event(string c) =>
        Enum.GetValues<ModeEvent>().Where(e => Snake(e.ToString()) == c).Select(e => (ModeEvent?)e).FirstOrDefault()
            ?? throw new FormatException($"core/hr_mode.c: HR_EV_{c} is not a ModeEvent");

    /// <summary>"StartForMe" as the C enum spells it: "START_FOR_ME".</summary>
    private static string Snake(string name) =>
        string.Concat(name.Select((ch, i) => i > 0 && char.IsUpper(ch) ? "_" + ch : ch.ToString())).ToUpperInvariant();
}
