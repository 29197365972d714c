using System.Globalization;
using HilRig.Gherkin.Execution;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// Prints one line per pickle, the details of those that did not pass, and a summary at the end. A control character
/// in a name or a message (an ESC from a chip's log, a NUL) is printed as <c>\xNN</c>, so a scenario cannot clear or
/// recolour the terminal; line breaks and tabs stay. One bench of a parallel run (<paramref name="bench"/> given) tags
/// its lines with the bench's name and leaves the summary to the caller (<see cref="WriteSummary"/>), which writes one for
/// all benches; its writer must then be thread-safe (Console.Out is).
/// </summary>
public sealed class ConsoleProgressListener(TextWriter output, string? bench = null) : IRunListener
{
    private readonly string _tag = bench is null ? "" : $"[{bench}] ";

    /// <inheritdoc />
    public void OnPickleFinished(TestCasePlan testCase, PickleResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.WillBeRetried)
        {
            output.WriteLine(Printable($"RETRY {_tag}{result.Describe()}"));
        }
        else if (result.Status is PickleStatus.Passed or PickleStatus.Skipped)
        {
            output.WriteLine(Printable(string.Create(CultureInfo.InvariantCulture,
                $"{Label(result.Status)} {_tag}{result.Pickle.DisplayName} ({result.Duration.TotalSeconds:0.00} s{(result.Attempt > 0 ? $", attempt {result.Attempt + 1}" : "")})")));
        }
        else
        {
            output.WriteLine(Printable($"{Label(result.Status)} {_tag}{result.Describe()}"));
        }

        output.Flush();
    }

    /// <inheritdoc />
    public void OnRunFinished(RunResult result, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (bench is null)
        {
            WriteSummary(output, result);
        }
    }

    /// <summary>The run's errors and its closing line: counts by status, the time, SUCCESS or FAILURE.</summary>
    public static void WriteSummary(TextWriter output, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        foreach (var error in result.Errors)
        {
            output.WriteLine(Printable($"ERROR {error}"));
        }

        var counts = Enum.GetValues<PickleStatus>().Where(s => result.Count(s) > 0).Select(s => $"{result.Count(s)} {s.ToString().ToLowerInvariant()}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Pickles.Count} scenarios ({string.Join(", ", counts)}) in {result.Duration.TotalSeconds:0.0} s{(result.Cancelled ? ", cancelled" : "")}: {(result.Success ? "SUCCESS" : "FAILURE")}"));
        output.Flush();
    }

    private static string Printable(string text) => PrintableText.Of(text, keepLineBreaks: true);

    private static string Label(PickleStatus status) => status switch
    {
        PickleStatus.Passed => "PASS ",
        PickleStatus.Skipped => "SKIP ",
        PickleStatus.Pending => "PEND ",
        PickleStatus.Undefined => "UNDEF",
        PickleStatus.Ambiguous => "AMBIG",
        _ => "FAIL ",
    };
}
