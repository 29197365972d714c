using HilRig.Protocol.Control;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using HilRig.Bench.Uart;
using HilRig.Protocol.Framing;

namespace HilRig.Bench.Module;

/// <summary>Options of the emulated comm module process (`hilrig bench module`).</summary>
public sealed record ModuleHostOptions(string DownstreamPath, int BaudRate, string StatePath, int ControlPort);

/// <summary>
/// The emulated comm module, chain part: one UART towards chip 1 and a control connection to the
/// server side on loopback, over which campaigns arrive and events go back as JSON lines. A campaign
/// left unfinished by a power cut resumes at boot from the saved state.
/// </summary>
public sealed class ModuleHost(ModuleHostOptions options, TextWriter log) : IChainPort
{
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
    private readonly FrameDecoder _decoder = new();
    private UartPort? _uart;
    private StreamWriter? _control;

    /// <summary>Runs until cancelled or the control connection closes.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var uart = new UartPort(options.DownstreamPath, options.BaudRate);
        _uart = uart;
        uart.Received += OnBytes;
        uart.Failed += message => Log(message);
        uart.Open();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, options.ControlPort, cancellationToken).ConfigureAwait(false);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        _control = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        var store = new ModuleStateStore(options.StatePath);
        var state = store.Load();
        Report(new ModuleEvent("boot") { Detail = state.Finished ? "idle" : $"resuming campaign {state.Campaign?.CampaignId} at step {state.NextIndex + 1}" });
        Task? running = null;
        if (!state.Finished && state.Campaign is not null)
        {
            running = new ChainUpgrade(this, store, Report).RunAsync(state, cancellationToken);
        }
        while (!cancellationToken.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                break;
            }
            CampaignRequest? request;
            try
            {
                request = JsonSerializer.Deserialize<CampaignRequest>(line, ControlJson.Options);
            }
            catch (JsonException ex)
            {
                Report(new ModuleEvent("control-error") { Detail = $"unreadable control line: {ex.Message}" });
                continue;
            }
            if (request is null)
            {
                continue;
            }
            if (request.Validate() is { } problem)
            {
                Report(new ModuleEvent("campaign-refused") { Detail = $"campaign {request.CampaignId}: {problem}" });
                continue;
            }
            if (running is { IsCompleted: false })
            {
                Report(new ModuleEvent("campaign-refused") { Detail = "a campaign is already running" });
                continue;
            }
            state = new ModuleState(request, false, 0, false);
            store.Save(state);
            running = new ChainUpgrade(this, store, Report).RunAsync(state, cancellationToken);
        }
        return 0;
    }

    private void OnBytes(byte[] bytes)
    {
        foreach (var item in _decoder.Feed(bytes))
        {
            if (item is DecodedFrame { Frame: var frame } && frame.Destination is Address.Module or Address.Broadcast)
            {
                _frames.Writer.TryWrite(frame);
            }
            else if (item is SkippedBytes skipped)
            {
                Log($"skipped {skipped.Raw.Length} byte(s): {skipped.Reason}");
            }
        }
    }

    /// <inheritdoc />
    public void Send(Frame frame) => _uart!.Send(frame.Encode());

    /// <inheritdoc />
    public async ValueTask<Frame?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return _frames.Reader.TryRead(out var ready) ? ready : null;
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _frames.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private void Report(ModuleEvent e)
    {
        Log($"{e.Event} {JsonSerializer.Serialize(e, ControlJson.Options)}");
        lock (this)
        {
            _control?.WriteLine(JsonSerializer.Serialize(e, ControlJson.Options));
        }
    }

    private void Log(string message)
    {
        lock (log)
        {
            log.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} module: {message}");
            log.Flush();
        }
    }
}
