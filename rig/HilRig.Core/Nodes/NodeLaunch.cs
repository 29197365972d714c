using HilRig.Bench.Node;
using System.Globalization;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Protocol.Persistence;

namespace HilRig.Core.Nodes;

/// <summary>
/// How one chip of the virtual bench is started: the built-in emulated chip (`hilrig-node chip`), or
/// the executable the wiring file names, with {upstream}, {downstreamN}, {flash}, {model_id} and {baud}
/// filled in. A new flash file gets the factory image in slot A (the reference layout of docs/protocol.md §10).
/// </summary>
public sealed class NodeLaunch(ChipWiring chip, string upstreamPath, IReadOnlyList<string> downstreamPaths, string flashPath, int baudRate, int? slotSizeOverrideBytes,
    IReadOnlyList<string> defects, IReadOnlyList<int>? downstreamBauds = null)
{
    /// <summary>Arguments added to every start of the chip (for example --log-flash-ops); a command chip gets them after its own.</summary>
    public List<string> ExtraArguments { get; } = new();

    /// <summary>Arguments added to the next start only (for example a cut inside a flash operation).</summary>
    public List<string> NextStartArguments { get; } = new();

    private FlashLayout Layout => new(chip.Flash.SectorSizeBytes, slotSizeOverrideBytes ?? chip.Flash.SlotSizeBytes);

    /// <summary>Starts the chip's process.</summary>
    public NodeProcess Start(string logPath, BenchTimeline timeline)
    {
        var baud = baudRate.ToString(CultureInfo.InvariantCulture);
        List<string> benchArguments = [.. ExtraArguments, .. NextStartArguments];
        NextStartArguments.Clear();
        if (chip.Command is { } template)
        {
            ProgramFactoryFlash();
            var values = new Dictionary<string, string>
            {
                [CommandTemplate.Upstream] = upstreamPath,
                [CommandTemplate.Flash] = flashPath,
                [CommandTemplate.ModelId] = $"0x{chip.ModelId:X2}",
                [CommandTemplate.Baud] = baud,
                [CommandTemplate.SectorSize] = Layout.SectorSizeBytes.ToString(CultureInfo.InvariantCulture),
                [CommandTemplate.SlotSize] = Layout.SlotSizeBytes.ToString(CultureInfo.InvariantCulture),
            };
            for (var i = 0; i < downstreamPaths.Count; i++)
            {
                values[CommandTemplate.DownstreamPrefix + i.ToString(CultureInfo.InvariantCulture)] = downstreamPaths[i];
                values[CommandTemplate.DownstreamBaudPrefix + i.ToString(CultureInfo.InvariantCulture)] =
                    (downstreamBauds is { } bauds && i < bauds.Count ? bauds[i] : baudRate).ToString(CultureInfo.InvariantCulture);
            }
            // The bench's own arguments (the sweep's --log-flash-ops, --cut-at-flash-op N --seed S) go after the
            // wiring file's: a command chip that supports them (the reference chip does) takes them as the C# one does.
            var extra = string.Concat(benchArguments.Select(a => " " + ShellQuote(a)));
            return NodeProcess.Start(chip.Name, "/bin/sh", ["-c", "exec " + CommandTemplate.Expand(template, values) + extra], logPath, timeline);
        }
        var (file, prefix) = NodeExecutable.Resolve();
        var args = new List<string>(prefix)
        {
            "chip", "--name", chip.Name, "--model-id", $"0x{chip.ModelId:X2}", "--upstream", upstreamPath,
            "--flash", flashPath, "--baud", baud,
            "--sector-size", Layout.SectorSizeBytes.ToString(CultureInfo.InvariantCulture),
            "--slot-size", Layout.SlotSizeBytes.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var d in downstreamPaths) args.AddRange(["--downstream", d]);
        if (chip.FactoryImagePath is { } image) args.AddRange(["--factory-image", image]);
        if (chip.Operating) args.Add("--operating");
        foreach (var defect in defects) args.AddRange(["--defect", defect]);
        args.AddRange(benchArguments);
        return NodeProcess.Start(chip.Name, file, args, logPath, timeline);
    }

    private static string ShellQuote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void ProgramFactoryFlash()
    {
        if (File.Exists(flashPath)) return;
        var layout = Layout;
        var bytes = new byte[layout.TotalSizeBytes];
        Array.Fill(bytes, (byte)0xFF);
        if (chip.FactoryImagePath is { } image)
        {
            File.ReadAllBytes(image).CopyTo(bytes, layout.ImageSlotAddress(0));
        }
        File.WriteAllBytes(flashPath, bytes);
    }
}
