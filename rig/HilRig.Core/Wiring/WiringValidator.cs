using System.Globalization;

namespace HilRig.Core.Wiring;

/// <summary>
/// The rules that span several entries of a wiring file: unique names and model ids, links that
/// form a tree rooted at the module and reaching every chip, a default order naming each chip
/// once, and command placeholders that match the node's ports.
/// </summary>
/// <remarks>
/// Whether an upgrade order would route traffic through a sleeping chip is deliberately not checked
/// here: refusing such an order is firmware behaviour that scenarios must be able to exercise.
/// </remarks>
internal sealed class WiringValidator(ParsedBench bench, WiringErrorList errors)
{
    private readonly Dictionary<string, ParsedChip> chipsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParsedLink> upstreamLinks = new(StringComparer.Ordinal);

    public void Validate()
    {
        CheckUniqueChips();
        CheckLinkEnds();
        CheckEveryChipReachable();
        CheckDefaultOrder();
        CheckCommands();
    }

    private string KnownNodes => string.Join(", ", new[] { ModuleWiring.Name }.Concat(chipsByName.Keys));

    private string ChipNames => string.Join(", ", chipsByName.Keys);

    private void CheckUniqueChips()
    {
        var byModelId = new Dictionary<byte, ParsedChip>();
        foreach (var chip in bench.Chips)
        {
            if (chip.HasName && chip.Chip.Name != ModuleWiring.Name && !chipsByName.TryAdd(chip.Chip.Name, chip))
            {
                var first = chipsByName[chip.Chip.Name];
                errors.Add(chip.NameMark!.Value, $"chip {chip.Number}: name '{chip.Chip.Name}' is already used by chip {first.Number} (line {first.Start.Line}); node names must be unique");
            }

            if (chip.HasModelId && !byModelId.TryAdd(chip.Chip.ModelId, chip))
            {
                var first = byModelId[chip.Chip.ModelId];
                errors.Add(chip.ModelIdMark!.Value, $"{chip.Label}: model_id {Hex(chip.Chip.ModelId)} is already used by {first.Label} (line {first.Start.Line}); model ids must be unique");
            }
        }
    }

    private void CheckLinkEnds()
    {
        foreach (var link in bench.Links)
        {
            var (from, to) = (link.Link.From, link.Link.To);
            var fromKnown = link.FromMark is null || IsNode(from);
            var toKnown = link.ToMark is null || to == ModuleWiring.Name || chipsByName.ContainsKey(to);
            if (!fromKnown)
            {
                errors.Add(link.FromMark!.Value, $"{link.Label}: 'from' names unknown node '{from}' (known nodes: {KnownNodes})");
            }

            if (!toKnown)
            {
                errors.Add(link.ToMark!.Value, $"{link.Label}: 'to' names unknown node '{to}' (known nodes: {KnownNodes})");
            }

            if (link.FromMark is null || link.ToMark is null || !fromKnown || !toKnown)
            {
                continue;
            }

            if (from == to)
            {
                errors.Add(link.ToMark.Value, $"{link.Label}: 'from' and 'to' are both '{to}'; a link joins two different nodes");
            }
            else if (to == ModuleWiring.Name)
            {
                errors.Add(link.ToMark.Value, $"{link.Label}: 'to' is the module, but the module heads the chain and has no upstream link; put the module in 'from'");
            }
            else if (!upstreamLinks.TryAdd(to, link))
            {
                var first = upstreamLinks[to];
                errors.Add(link.ToMark.Value, $"{link.Label}: chip '{to}' already has an upstream link ({first.Label}, line {first.Start.Line}); every chip has exactly one");
            }
        }
    }

    private void CheckEveryChipReachable()
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>([ModuleWiring.Name]);
        while (pending.TryDequeue(out var node))
        {
            foreach (var link in upstreamLinks.Values.Where(l => l.Link.From == node && reached.Add(l.Link.To)))
            {
                pending.Enqueue(link.Link.To);
            }
        }

        var reportedCycles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chip in chipsByName.Values.Where(c => !reached.Contains(c.Chip.Name)))
        {
            if (!upstreamLinks.ContainsKey(chip.Chip.Name))
            {
                errors.Add(chip.NameMark!.Value, $"{chip.Label} has no upstream link; add a link with 'to: {chip.Chip.Name}' from the module or another chip");
                continue;
            }

            ReportUnreachable(chip.Chip.Name, reportedCycles);
        }
    }

    /// <summary>Walks up from an unreached chip to find why: a cycle, or an ancestor without an upstream link.</summary>
    private void ReportUnreachable(string chipName, HashSet<string> reportedCycles)
    {
        var walk = new List<string> { chipName };
        var node = chipName;
        while (upstreamLinks.TryGetValue(node, out var up))
        {
            node = up.Link.From;
            var seenAt = walk.IndexOf(node);
            if (seenAt >= 0)
            {
                var cycle = walk[seenAt..];
                if (seenAt == 0 && reportedCycles.Add(cycle.Min(StringComparer.Ordinal)!))
                {
                    var closing = upstreamLinks[chipName];
                    var shown = string.Join(" -> ", cycle.Take(1).Concat(Enumerable.Reverse(cycle).SkipLast(1)).Append(cycle[0]));
                    errors.Add(closing.ToMark!.Value, $"{closing.Label}: links form a cycle ({shown}), so {string.Join(", ", cycle.Order(StringComparer.Ordinal).Select(c => $"'{c}'"))} cannot be reached from the module");
                }
                else if (seenAt > 0)
                {
                    var link = upstreamLinks[chipName];
                    errors.Add(link.ToMark!.Value, $"{link.Label}: chip '{chipName}' cannot be reached from the module; its upstream path runs into a cycle through '{node}'");
                }

                return;
            }

            walk.Add(node);
        }

        var own = upstreamLinks[chipName];
        errors.Add(own.ToMark!.Value, $"{own.Label}: chip '{chipName}' cannot be reached from the module; its upstream path stops at '{node}', which has no upstream link");
    }

    private void CheckDefaultOrder()
    {
        if (bench.DefaultOrder is not { } order)
        {
            return;
        }

        var listed = new Dictionary<string, ParsedOrderEntry>(StringComparer.Ordinal);
        foreach (var entry in order)
        {
            if (!chipsByName.ContainsKey(entry.Name))
            {
                errors.Add(entry.Mark, $"upgrade: default_order names '{entry.Name}', which is not a chip (chips: {ChipNames})");
            }
            else if (!listed.TryAdd(entry.Name, entry))
            {
                errors.Add(entry.Mark, $"upgrade: default_order lists '{entry.Name}' twice (first at line {listed[entry.Name].Mark.Line}); it must name each chip exactly once");
            }
        }

        var missing = chipsByName.Keys.Where(c => !listed.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            errors.Add(bench.DefaultOrderMark!.Value, $"upgrade: default_order is missing {string.Join(", ", missing)}; it must name each chip exactly once");
        }
    }

    private void CheckCommands()
    {
        if (bench.Module.Command is { } moduleCommand)
        {
            CheckCommand("module", moduleCommand, ModuleWiring.Name, bench.ModuleCommandMark!.Value, isChip: false);
        }

        foreach (var chip in bench.Chips.Where(c => c.Chip.Command is not null))
        {
            CheckCommand(chip.Label, chip.Chip.Command!, chip.Chip.Name, chip.CommandMark!.Value, isChip: true);
        }
    }

    private void CheckCommand(string label, string command, string nodeName, YamlDotNet.Core.Mark mark, bool isChip)
    {
        IReadOnlyList<string> placeholders;
        try
        {
            placeholders = CommandTemplate.Placeholders(command);
        }
        catch (FormatException e)
        {
            errors.Add(mark, $"{label}: 'command' {e.Message}");
            return;
        }

        var ports = bench.Links.Count(l => l.Link.From == nodeName);
        var allowed = isChip
            ? new List<string> { CommandTemplate.Upstream, CommandTemplate.Flash, CommandTemplate.ModelId, CommandTemplate.Baud, CommandTemplate.SectorSize, CommandTemplate.SlotSize }
            : [CommandTemplate.Flash, CommandTemplate.Baud];
        allowed.AddRange(Enumerable.Range(0, ports).Select(p => CommandTemplate.DownstreamPrefix + p.ToString(CultureInfo.InvariantCulture)));
        allowed.AddRange(Enumerable.Range(0, ports).Select(p => CommandTemplate.DownstreamBaudPrefix + p.ToString(CultureInfo.InvariantCulture)));
        foreach (var name in placeholders.Where(p => !allowed.Contains(p)).Distinct())
        {
            var why = name.StartsWith(CommandTemplate.DownstreamPrefix, StringComparison.Ordinal) || name.StartsWith(CommandTemplate.DownstreamBaudPrefix, StringComparison.Ordinal)
                ? $"; '{nodeName}' has {ports} downstream port(s)"
                : "";
            errors.Add(mark, $"{label}: 'command' uses unknown placeholder '{{{name}}}'{why} (allowed: {string.Join(", ", allowed.Select(a => $"{{{a}}}"))})");
        }
    }

    private bool IsNode(string name) => name == ModuleWiring.Name || chipsByName.ContainsKey(name);

    private static string Hex(byte value) => $"0x{value:X2}";
}
