using HilRig.Protocol.Control;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using HilRig.Bench.Uart;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;

namespace HilRig.Bench.Module;

/// <summary>Options of the emulated comm module process (`hilrig bench module`).</summary>
/// <param name="DownstreamPath">Serial device towards chip 1.</param>
/// <param name="BaudRate">Line rate.</param>
/// <param name="StatePath">File of the persisted campaign progress.</param>
/// <param name="ControlPort">Loopback port of the rig's control channel; 0 for none.</param>
/// <param name="Network">The WiFi side (docs/cloud.md §4); null for a module with the control channel only.</param>
public sealed record ModuleHostOptions(string DownstreamPath, int BaudRate, string StatePath, int ControlPort, Network.ModuleNetworkOptions? Network = null)
{
    /// <summary>Unix socket of the rig's control channel, used instead of <see cref="ControlPort"/> when set (a module in the network double's namespace).</summary>
    public string? ControlSocket { get; init; }

    /// <summary>Defects of the module to run with (<see cref="ModuleDefect"/>): its chain side reads them too.</summary>
    public ModuleDefect Defects { get; init; }
}

/// <summary>
/// The emulated comm module: one UART towards chip 1, a control connection to the rig on loopback
/// (campaigns in, events out as JSON lines) and, when configured, its WiFi side
/// (<see cref="Network.ModuleNetwork"/>), which takes campaigns from the target OTA server. A campaign
/// left unfinished by a power cut resumes at boot from the saved state.
/// </summary>
public sealed class ModuleHost(ModuleHostOptions options, TextWriter log) : IChainPort, Network.IModuleChain
{
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
    private readonly FrameDecoder _decoder = new();
    private readonly object _campaignLock = new();
    private UartPort? _uart;
    private StreamWriter? _control;
    private Network.ModuleNetwork? _network;
    private ModuleStateStore? _store;
    private Task? _running;
    private (uint CampaignId, Task Task)? _preparing;
    private uint? _campaignId;
    private byte _sequence = 0x80;
    private CancellationToken _token;
    private ProcessorPort? _processor;

    /// <inheritdoc />
    public Network.IProcessorLink Processor => LazyInitializer.EnsureInitialized(ref _processor, () => new ProcessorPort(Send, () => _sequence++, Log));

    /// <inheritdoc />
    public event Action<ModuleEvent, uint?>? Reported;

    /// <inheritdoc />
    public bool CampaignRunning => _running is { IsCompleted: false };

    /// <inheritdoc />
    public Task PreparedAsync(uint campaignId)
    {
        lock (_campaignLock)
        {
            return _preparing is { } p && p.CampaignId == campaignId ? p.Task : Task.CompletedTask;
        }
    }

    /// <summary>Runs until cancelled or the control connection closes (without a control channel: until cancelled).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        _token = cancellationToken;
        await using var uart = new UartPort(options.DownstreamPath, options.BaudRate);
        _uart = uart;
        uart.Received += OnBytes;
        uart.Failed += message => Log(message);
        uart.Open();
        _store = new ModuleStateStore(options.StatePath);
        var state = _store.Load();
        Task? networkTask = null;
        if (options.Network is { } networkOptions)
        {
            _network = new Network.ModuleNetwork(networkOptions, this, Log);
            networkTask = Task.Run(() => _network.RunAsync(cancellationToken), cancellationToken);
        }
        try
        {
            if (options.ControlPort == 0 && options.ControlSocket is null)
            {
                Boot(state);
                if (networkTask is not null)
                {
                    await networkTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                return 0;
            }
            using var client = options.ControlSocket is null
                ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(options.ControlSocket is { } socketPath ? new UnixDomainSocketEndPoint(socketPath)
                : new IPEndPoint(IPAddress.Loopback, options.ControlPort), cancellationToken).ConfigureAwait(false);
            using var stream = new NetworkStream(client, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            _control = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            try
            {
                Boot(state);
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
                    if (StartCampaign(request) is { } refusal)
                    {
                        Report(new ModuleEvent("campaign-refused") { Detail = refusal });
                    }
                }
                return 0;
            }
            finally
            {
                // The campaign's last words go out before the control connection closes.
                await StopCampaignAsync().ConfigureAwait(false);
                lock (this)
                {
                    _control = null;
                }
            }
        }
        finally
        {
            // Power off stops everything: no campaign of this boot runs on (or saves) after it.
            await StopCampaignAsync().ConfigureAwait(false);
        }
    }

    private async Task StopCampaignAsync()
    {
        Task? running;
        lock (_campaignLock)
        {
            running = _running;
        }
        if (running is not null)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Reports the boot, reports an outcome the last power cut kept from going out, and resumes a saved campaign.</summary>
    private void Boot(ModuleState state)
    {
        Report(new ModuleEvent("boot") { Detail = state.Finished ? "idle" : $"resuming campaign {state.Campaign?.CampaignId} at step {state.NextIndex + 1}" });
        if (state.Finished && state.Unreported is { } outcome)
        {
            _campaignId = state.Campaign?.CampaignId;
            Report(outcome with { Detail = outcome.Detail is null ? "reported at boot: the power went before it was reported" : $"{outcome.Detail} (reported at boot: the power went before it was reported)" });
            _store!.Save(state with { Unreported = null });
        }
        ResumeSaved(state);
    }

    private void ResumeSaved(ModuleState state)
    {
        if (!state.Finished && state.Campaign is not null)
        {
            lock (_campaignLock)
            {
                _campaignId = state.Campaign.CampaignId;
                _running = new ChainUpgrade(this, _store!, Report, options.Defects).RunAsync(state, _token);
            }
        }
    }

    /// <inheritdoc />
    public string? Prepare(uint campaignId)
    {
        lock (_campaignLock)
        {
            if (CampaignRunning)
            {
                return "a campaign is already running";
            }
            _campaignId = campaignId;
            _running = new ChainUpgrade(this, _store!, Report, options.Defects).PrepareOnlyAsync(campaignId, _token);
            _preparing = (campaignId, _running);
            return null;
        }
    }

    /// <inheritdoc />
    public byte? FailedChipOf(uint campaignId)
    {
        lock (_campaignLock)
        {
            return !CampaignRunning && _store!.Load() is { Finished: true, Prepared: true, FailedChip: { } failed } saved
                && saved.Campaign?.CampaignId == campaignId ? failed : null;
        }
    }

    /// <inheritdoc />
    public string? StartCampaign(CampaignRequest campaign)
    {
        if (campaign.Validate() is { } problem)
        {
            return $"campaign {campaign.CampaignId}: {problem}";
        }
        lock (_campaignLock)
        {
            if (CampaignRunning)
            {
                return "a campaign is already running";
            }
            var state = new ModuleState(campaign, false, 0, false);
            var saved = _store!.Load();
            if (saved is { Finished: true, Prepared: true, FailedChip: { } failed } && saved.Campaign?.CampaignId == campaign.CampaignId
                && !options.Defects.HasFlag(ModuleDefect.RetryRestartsEveryChip))
            {
                // A retry of the campaign that failed: the chips before the failed one are done in it and keep their images;
                // start again at the failed chip, without PREPARE (the chain may still be in this campaign's modes).
                // (DEFECT: retry-restarts-every-chip starts over from the first chip, PREPARE included.)
                state = saved with { Campaign = campaign, Finished = false, Unreported = null, FailedChip = null };
                Report(new ModuleEvent("campaign-retry")
                {
                    Chip = failed, Detail = $"retrying from chip 0x{failed:X2}",
                    Chips = campaign.Order.Take(saved.NextIndex).Select(c => $"0x{c:X2}").ToList(),
                });
            }
            _store.Save(state);
            _campaignId = campaign.CampaignId;
            _running = new ChainUpgrade(this, _store, Report, options.Defects).RunAsync(state, _token);
            return null;
        }
    }

    private void OnBytes(byte[] bytes)
    {
        foreach (var item in _decoder.Feed(bytes))
        {
            if (item is DecodedFrame { Frame: { Type: MessageType.Provision, Destination: Address.Module } provision })
            {
                OnProvision(provision);
            }
            else if (item is DecodedFrame { Frame: var fromProcessor } && ProcessorPort.Handles(fromProcessor))
            {
                ((ProcessorPort)Processor).Receive(fromProcessor);
            }
            else if (item is DecodedFrame { Frame: var frame } && frame.Destination is Address.Module or Address.Broadcast)
            {
                _frames.Writer.TryWrite(frame);
            }
            else if (item is SkippedBytes skipped)
            {
                Log($"skipped {skipped.Raw.Length} byte(s): {skipped.Reason}");
            }
        }
    }

    private void OnProvision(Frame frame)
    {
        if (ProvisionPayload.TryDecode(frame.Payload, out var error) is not { } provision)
        {
            Log($"PROVISION from 0x{frame.Source:X2} ignored: {error}");
            return;
        }
        if (_network is null)
        {
            Log($"PROVISION from 0x{frame.Source:X2} ignored: this module runs without its WiFi side");
            return;
        }
        ((ProcessorPort)Processor).Learn(frame);
        var status = _network.OnProvision(provision);
        Send(new Frame(MessageType.ProvisionAck, frame.Source, Address.Module, _sequence++, new ProvisionAckPayload(status).Encode()));
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
        // A module whose power is gone reports nothing more (the campaign's outcome stays unreported until the next boot).
        _token.ThrowIfCancellationRequested();
        Log($"{e.Event} {JsonSerializer.Serialize(e, ControlJson.Options)}");
        try
        {
            Reported?.Invoke(e, _campaignId);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or InvalidDataException)
        {
            Log($"event {e.Event} could not be relayed: {ex.Message}");
        }
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
