using System.Threading.Channels;

namespace HilRig.Bench.Tests.Support;

/// <summary>The frames a test chain has for the module, taken as <see cref="HilRig.Bench.Module.IChainPort.ReceiveAsync"/> takes them: null when none came within the timeout.</summary>
internal sealed class ModuleInbox
{
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();

    public void Put(Frame frame) => _frames.Writer.TryWrite(frame);

    public async ValueTask<Frame?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            return await _frames.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
