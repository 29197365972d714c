using System.Text.Json;
using HilRig.Protocol.Cloud;

namespace HilRig.Bench.Module.Network;

/// <summary>
/// The module's non-volatile storage: one directory, one JSON file per record, each written to a
/// temporary file and renamed over the old one so that a power cut leaves the old or the new record.
/// Images go to slot-a.hrim / slot-b.hrim, partial downloads under downloads/.
/// </summary>
public sealed class ModuleFlash
{
    private const string FactoryFile = ModuleFlashFiles.Factory;
    private const string NetworkFile = ModuleFlashFiles.Network;
    private const string SlotsFile = ModuleFlashFiles.Slots;
    private const string ChipsFile = "chips.json";
    private const string FinishedFile = "finished-campaigns.json";
    private const string AttemptsFile = "campaign-attempts.json";

    /// <summary>Opens the storage in <paramref name="directory"/>; the factory record must be there.</summary>
    public ModuleFlash(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(DownloadsDirectory);
        Factory = Read<ModuleFactoryConfig>(FactoryFile)
            ?? throw new InvalidOperationException($"{Path.Combine(directory, FactoryFile)}: no factory record; the module's flash was never programmed");
    }

    /// <summary>The storage directory.</summary>
    public string Directory { get; }

    /// <summary>Where partial downloads are kept.</summary>
    public string DownloadsDirectory => Path.Combine(Directory, "downloads");

    /// <summary>The factory record.</summary>
    public ModuleFactoryConfig Factory { get; }

    /// <summary>Programs a new module's flash (the factory's job; the rig does it for a virtual bench).</summary>
    public static void Program(string directory, IReadOnlyDictionary<string, byte[]> files)
    {
        System.IO.Directory.CreateDirectory(directory);
        foreach (var (name, bytes) in files)
        {
            WriteAtomically(Path.Combine(directory, name), bytes);
        }
    }

    /// <summary>The network config, or null when absent.</summary>
    public NetworkConfig? LoadNetwork() => Read<NetworkConfig>(NetworkFile);

    /// <summary>Writes the network config.</summary>
    public void SaveNetwork(NetworkConfig config) => Write(NetworkFile, config);

    /// <summary>The firmware slots.</summary>
    public ModuleSlots LoadSlots() => Read<ModuleSlots>(SlotsFile) ?? new ModuleSlots("A", null, null);

    /// <summary>Switches slots: one atomic write, the activation.</summary>
    public void SaveSlots(ModuleSlots slots) => Write(SlotsFile, slots);

    /// <summary>The file of image slot "A" or "B".</summary>
    public string SlotPath(string slot) => Path.Combine(Directory, $"slot-{slot.ToLowerInvariant()}.hrim");

    /// <summary>Chip versions last learned from PREPARE_ACK.</summary>
    public IReadOnlyList<ChipVersion>? LoadChips() => Read<List<ChipVersion>>(ChipsFile);

    /// <summary>Saves the chip versions.</summary>
    public void SaveChips(IReadOnlyList<ChipVersion> chips) => Write(ChipsFile, chips);

    /// <summary>Campaign ids the module has finished (never run twice).</summary>
    public IReadOnlySet<uint> LoadFinishedCampaigns() => Read<HashSet<uint>>(FinishedFile) ?? [];

    /// <summary>Records a finished campaign id.</summary>
    public void AddFinishedCampaign(uint campaignId)
    {
        var set = new HashSet<uint>(LoadFinishedCampaigns()) { campaignId };
        Write(FinishedFile, set);
    }

    /// <summary>The latest attempt run of each retried campaign (docs/cloud.md §2.3, "Retry"): an attempt is run once.</summary>
    public IReadOnlyDictionary<uint, int> LoadCampaignAttempts() => Read<Dictionary<uint, int>>(AttemptsFile) ?? [];

    /// <summary>Records that <paramref name="attempt"/> of a campaign was started.</summary>
    public void SaveCampaignAttempt(uint campaignId, int attempt)
    {
        var attempts = new Dictionary<uint, int>(LoadCampaignAttempts()) { [campaignId] = attempt };
        Write(AttemptsFile, attempts);
    }

    private T? Read<T>(string file) where T : class
    {
        var path = Path.Combine(Directory, file);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), CloudJson.Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: unreadable record: {ex.Message}", ex);
        }
    }

    private void Write<T>(string file, T value) =>
        WriteAtomically(Path.Combine(Directory, file), JsonSerializer.SerializeToUtf8Bytes(value, CloudJson.Options));

    /// <summary>Writes a temporary file, flushes it to disk and renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
