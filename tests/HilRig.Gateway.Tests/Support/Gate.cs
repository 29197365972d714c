using System.Collections.Concurrent;
using HilRig.Gateway.Device;
using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Tests.Support;

/// <summary>A command executor that holds "block" commands until released and tells when each command starts.</summary>
public sealed class HeldCommands
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();

    public CommandExecutor Executor => async (command, token) =>
    {
        StartedSignal(command.CommandId).TrySetResult();
        if (command.Name == "block") await _release.Task.WaitAsync(token);
        return new CommandReply(command.CommandId, true, command.Name);
    };

    public Task Started(string commandId) => StartedSignal(commandId).Task.Within();

    public bool HasStarted(string commandId) => _started.TryGetValue(commandId, out var s) && s.Task.IsCompleted;

    public void Release() => _release.TrySetResult();

    private TaskCompletionSource StartedSignal(string id) => _started.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
