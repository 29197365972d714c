namespace HilRig.Core.Power;

/// <summary>
/// Power through external commands (a USB hub's port power with uhubctl, a PDU's command line), like
/// labgrid's ExternalPowerDriver: one shell command switches on, one switches off, and an optional
/// status command answers with its exit code (0 = powered). A command that fails or hangs past
/// <see cref="Timeout"/> raises a <see cref="PowerSwitchException"/> naming the node, the command, its exit
/// code and what it printed on stderr.
/// </summary>
public sealed class CommandPowerSwitch(string node, string onCommand, string offCommand, string? statusCommand, string? workingDirectory = null)
    : IPowerSwitch, IPowerStatus
{
    private readonly SemaphoreSlim _switching = new(1, 1);
    private volatile bool _on;

    /// <summary>How long one command may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <inheritdoc />
    public string Node { get; } = node;

    /// <inheritdoc />
    public bool IsOn => _on;

    /// <inheritdoc />
    public async Task OnAsync(CancellationToken cancellationToken)
    {
        await _switching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunCheckedAsync("on", onCommand, cancellationToken).ConfigureAwait(false);
            _on = true;
        }
        finally
        {
            _switching.Release();
        }
    }

    /// <inheritdoc />
    public async Task OffAsync(CancellationToken cancellationToken)
    {
        await _switching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunCheckedAsync("off", offCommand, cancellationToken).ConfigureAwait(false);
            _on = false;
        }
        finally
        {
            _switching.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Without a status command, the state the rig last switched to.</remarks>
    public async Task<bool> QueryAsync(CancellationToken cancellationToken)
    {
        if (statusCommand is null)
        {
            return _on;
        }
        var (code, _) = await RunAsync("status", statusCommand, cancellationToken).ConfigureAwait(false);
        return code == 0;
    }

    /// <inheritdoc />
    public void SafeOff()
    {
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            RunCheckedAsync("off", offCommand, timeout.Token).GetAwaiter().GetResult();
            _on = false;
        }
        catch (Exception ex) when (ex is PowerSwitchException or OperationCanceledException)
        {
            // On the way out nothing more can be done; the next start switches it off again.
        }
    }

    private async Task RunCheckedAsync(string what, string command, CancellationToken cancellationToken)
    {
        var (code, stderr) = await RunAsync(what, command, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new PowerSwitchException($"{Node}: power {what} command `{command}` failed with exit code {code}{(stderr.Length > 0 ? $": {stderr}" : "")}");
        }
    }

    private async Task<(int Code, string Stderr)> RunAsync(string what, string command, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Nodes.ShellCommand.RunAsync(command, workingDirectory, Timeout, cancellationToken).ConfigureAwait(false);
            return (result.ExitCode, result.Stderr);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new PowerSwitchException($"{Node}: power {what} command {ex.Message}", ex);
        }
    }
}
