using System.Collections.Concurrent;
using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Device;

/// <summary>Runs one command on the device and gives its reply (the emulated WiFi module plugs its own in).</summary>
public delegate ValueTask<CommandReply> CommandExecutor(ControlCommand command, CancellationToken cancellationToken);

/// <summary>Command behaviour of docs/cloud.md §3.1 without a chain behind the module.</summary>
public static class CommandExecutors
{
    /// <summary>ping → pong, set-power/set-mode echo their argument, get-status → "idle"; anything else is answered not ok.</summary>
    public static CommandExecutor Default { get; } = static (command, _) => ValueTask.FromResult(command.Name switch
    {
        "ping" => new CommandReply(command.CommandId, true, "pong"),
        "set-power" when command.Argument is "on" or "off" => new CommandReply(command.CommandId, true, command.Argument),
        "set-mode" => new CommandReply(command.CommandId, true, command.Argument),
        "get-status" => new CommandReply(command.CommandId, true, "idle"),
        _ => new CommandReply(command.CommandId, false, $"unknown command '{command.Name}'"),
    });
}

/// <summary>
/// Counts every execution of every command, across devices, independently of the devices'
/// own de-duplication: the fleet benchmark's "duplicated" is read here.
/// </summary>
public sealed class CommandLedger
{
    private readonly ConcurrentDictionary<string, int> _executions = new(StringComparer.Ordinal);
    private long _total;

    /// <summary>Records that <paramref name="deviceId"/> ran <paramref name="commandId"/>.</summary>
    public void RecordExecution(string deviceId, string commandId)
    {
        _executions.AddOrUpdate(deviceId + "/" + commandId, 1, static (_, n) => n + 1);
        Interlocked.Increment(ref _total);
    }

    /// <summary>Executions in all.</summary>
    public long Executions => Interlocked.Read(ref _total);

    /// <summary>Commands run more than once by the same device.</summary>
    public int Duplicated => _executions.Values.Count(n => n > 1);
}
