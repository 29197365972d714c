using HilRig.Core.Timeline;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Scenarios.Drivers;

namespace HilRig.Scenarios.Support;

/// <summary>Attaches each scenario's timeline, UART logs and node logs to the report, passed or failed.</summary>
[Binding]
public sealed class ArtifactHooks(BenchDriver bench, RigSettings settings, ScenarioRun scenario)
{
    [AfterScenario]
    public void AttachArtifacts()
    {
        scenario.Attach("reproduce.txt", "text/plain", settings.ReproduceCommand(scenario.PickleId));
        var directory = bench.ArtifactsDirectory;
        if (!Directory.Exists(directory))
        {
            return;
        }
        var timeline = Path.Combine(directory, "timeline.ndjson");
        if (File.Exists(timeline))
        {
            scenario.Attach("timeline.ndjson", "application/x-ndjson", File.ReadAllBytes(timeline));
            // One readable log per UART link (uart/<link>.log): every frame, garbage and fault on it.
            foreach (var uartLog in UartLogs.Write(TimelineSvg.ReadNdjson(timeline), Path.Combine(directory, "uart")))
            {
                scenario.Attach("uart-" + Path.GetFileName(uartLog), "text/plain", File.ReadAllText(uartLog));
            }
            if (bench.Started && bench.Wiring is { } wiring)
            {
                // The picture: each chip's mode and transfer progress over time, faults marked.
                var svg = TimelineSvg.RenderFromNdjson(timeline, TimelineSvgOptions.FromWiring(wiring, scenario.Name));
                File.WriteAllText(Path.Combine(directory, "timeline.svg"), svg);
                // As bytes, so the Cucumber HTML report gets it BASE64-encoded and shows it as an image.
                scenario.Attach("timeline.svg", "image/svg+xml", System.Text.Encoding.UTF8.GetBytes(svg));
            }
        }
        var logs = Path.Combine(directory, "logs");
        if (Directory.Exists(logs))
        {
            foreach (var log in Directory.EnumerateFiles(logs, "*.log").Order(StringComparer.Ordinal))
            {
                scenario.Attach(Path.GetFileName(log), "text/plain", File.ReadAllText(log));
            }
        }
    }
}
