using HilRig.Core.Bench;
using HilRig.Core.Verification;

namespace HilRig.Core.Faults;

/// <summary>
/// Fires when the module holds the first <paramref name="Bytes"/> bytes of a firmware file it downloads from the
/// target server: the next download after arming that carries that file offset. The server writes the bytes before
/// the offset and then holds the rest of that answer (until its connection is gone, at most <see cref="Hold"/>), so
/// an action that takes the network down cuts the download at exactly that byte; the trigger fires on the module's
/// own count, the size of its partial file, once it has received those bytes. What the transport adds (HTTP
/// headers, TLS handshakes and records) is not counted, so plain and TLS benches cut at the same byte.
/// </summary>
/// <param name="Bytes">File offset the module holds when the trigger fires.</param>
/// <param name="What">Words for the report ("50% of the module's firmware").</param>
public sealed record AtDownloadedBytes(long Bytes, string What) : IFaultTrigger
{
    /// <summary>
    /// Longest the server holds the rest of the download once the module has its first bytes: an action that cuts
    /// the connection ends the hold at once; any other lets the download go on after this, which stays under the
    /// emulated module's 10 s idle timeout per read (FirmwareDownloader.IdleTimeout), so the hold alone never fails it.
    /// </summary>
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public string Description => $"when the module has downloaded {What}";

    /// <inheritdoc />
    public async Task WaitAsync(IBench bench, CancellationToken cancellationToken)
    {
        var cloud = bench.RequireCloud();
        if (bench.Wiring.Kind == Wiring.BenchKind.Hardware)
        {
            // The device's own module: its flash cannot be read, so the trigger fires once the server has sent the bytes
            // (the scenarios' module-firmware phrases are skipped there; a chip-firmware count only needs to fall mid-download).
            var sent = await cloud.Target.HttpFaults.PauseNextDownloadAtAsync(Bytes, Hold, cancellationToken).ConfigureAwait(false);
            bench.Timeline.Add("rig", "fault-trigger", $"the target server holds the download of {sent} at byte {Bytes} (the module's own count cannot be read on a hardware bench)");
            return;
        }
        var downloads = Path.Combine(bench.ModuleFlashDirectory, ModuleDownloadsDirectory);
        var before = PartialFiles(downloads);
        var file = await cloud.Target.HttpFaults.PauseNextDownloadAtAsync(Bytes, Hold, cancellationToken).ConfigureAwait(false);
        bench.Timeline.Add("rig", "fault-trigger", $"the target server holds the download of {file} at byte {Bytes}; waiting for the module to hold them");
        await WaitForPartialFileAsync(downloads, before, Bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where the emulated module keeps its partial downloads, under its flash directory.</summary>
    public const string ModuleDownloadsDirectory = "downloads";

    /// <summary>
    /// Waits until a partial file (<c>*.part</c>) in <paramref name="directory"/> that is new or has changed since
    /// <paramref name="before"/> holds at least <paramref name="bytes"/> bytes.
    /// </summary>
    public static async Task WaitForPartialFileAsync(string directory, IReadOnlyDictionary<string, long> before, long bytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            foreach (var (path, length) in PartialFiles(directory))
            {
                if (length >= bytes && (!before.TryGetValue(path, out var was) || was != length))
                {
                    held.TrySetResult();
                }
            }
        }
        using var watcher = new FileSystemWatcher(directory, "*.part") { NotifyFilter = NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.LastWrite };
        watcher.Changed += (_, _) => Check();
        watcher.Created += (_, _) => Check();
        watcher.Renamed += (_, _) => Check();
        watcher.EnableRaisingEvents = true;
        // Written before the watcher started: look once it is watching.
        Check();
        await held.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The partial files in <paramref name="directory"/> with their sizes (none when it does not exist).</summary>
    public static Dictionary<string, long> PartialFiles(string directory)
    {
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return files;
        }
        foreach (var path in Directory.EnumerateFiles(directory, "*.part"))
        {
            try
            {
                files[path] = new FileInfo(path).Length;
            }
            catch (IOException)
            {
                // Renamed or deleted while listed (the download finished): not a partial file any more.
            }
        }
        return files;
    }
}

/// <summary>Takes the device's whole network down (every gate: brokers and downloads) for a while.</summary>
public sealed record NetworkDown(TimeSpan Duration) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"network down for {Duration.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var cloud = context.Bench.RequireCloud();
        try
        {
            cloud.NetworkDown(Description);
            await Task.Delay(Duration, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            cloud.NetworkUp();
        }
        return null;
    }
}

/// <summary>Stops a server's broker and starts it again on the same port after a while.</summary>
/// <param name="ServerId">The target server's id or a vendor server's.</param>
/// <param name="Downtime">How long it stays down.</param>
public sealed record BrokerRestart(string ServerId, TimeSpan Downtime) : IFaultAction
{
    /// <inheritdoc />
    public string Description => $"restart the broker of '{ServerId}', down for {Downtime.TotalMilliseconds:0} ms";

    /// <inheritdoc />
    public async Task<RecoveryCheck?> RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var cloud = context.Bench.RequireCloud();
        var faults = ServerId == cloud.Wiring.TargetId ? cloud.Target.BrokerFaults : cloud.Vendor(ServerId).BrokerFaults;
        if (faults is null)
        {
            throw new InvalidOperationException($"the broker of '{ServerId}' is not embedded in the rig, so the rig cannot restart it");
        }
        await faults.RestartAsync(Downtime, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
