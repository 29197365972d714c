using System.Globalization;
using HilRig.Core.Nodes;

namespace HilRig.Core.Sensors;

/// <summary>
/// A node's current read by a shell command that prints milliamps on its first line (a lab supply's command line
/// tool, a bench double's control script), run in <paramref name="workingDirectory"/>.
/// </summary>
public sealed class CommandCurrentSensor(string node, string command, double deadBelowMilliamps, string? workingDirectory = null) : ICurrentSensor
{
    /// <summary>How long the command may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public string Node { get; } = node;

    /// <inheritdoc />
    public double DeadBelowMilliamps { get; } = deadBelowMilliamps;

    /// <inheritdoc />
    public async Task<double> ReadMilliampsAsync(CancellationToken cancellationToken)
    {
        ShellResult result;
        try
        {
            result = await ShellCommand.RunAsync(command, workingDirectory, Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new SensorException($"current of {Node}: {ex.Message}", ex);
        }
        if (result.ExitCode != 0)
        {
            throw new SensorException($"current of {Node}: `{command}` failed with exit code {result.ExitCode}: {result.Stderr}");
        }
        var first = result.Stdout.Split('\n', 2)[0].Trim();
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliamps) ? milliamps
            : throw new SensorException($"current of {Node}: `{command}` printed '{first}', not a number of milliamps");
    }
}
