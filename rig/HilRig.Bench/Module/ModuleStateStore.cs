using HilRig.Protocol.Control;
using System.Text.Json;

namespace HilRig.Bench.Module;

/// <summary>
/// The module's persisted campaign progress. Writes go to a temporary file that is then renamed over
/// the old one, so a cut leaves either the old or the new state, never a torn one.
/// </summary>
public sealed class ModuleStateStore(string path)
{
    /// <summary>Loads the state, or an empty one when none was saved.</summary>
    public ModuleState Load()
    {
        if (!File.Exists(path))
        {
            return new ModuleState(null, false, 0, true);
        }
        return JsonSerializer.Deserialize<ModuleState>(File.ReadAllText(path), ControlJson.Options)
            ?? new ModuleState(null, false, 0, true);
    }

    /// <summary>Saves the state atomically.</summary>
    public void Save(ModuleState state)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(state, ControlJson.Options));
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>What the module keeps in its own flash (a file) to resume a campaign after a power cut.</summary>
/// <param name="Campaign">The campaign, once one was started.</param>
/// <param name="Prepared">PREPARE was answered READY and the order validated.</param>
/// <param name="NextIndex">Index in the campaign's order of the next chip to upgrade.</param>
/// <param name="Finished">The campaign ended (completed, failed or refused).</param>
/// <param name="Unreported">The campaign's outcome when the power went before it was reported; the next boot reports it.</param>
/// <param name="Chips">Model ids of the chips PREPARE_ACK reported (the topology): every one must answer each START (§7.2).</param>
/// <param name="FailedChip">The chip the campaign failed on, when it failed: a retry of the campaign starts there (docs/protocol.md §11.1).</param>
public sealed record ModuleState(CampaignRequest? Campaign, bool Prepared, int NextIndex, bool Finished, ModuleEvent? Unreported = null,
    IReadOnlyList<byte>? Chips = null, byte? FailedChip = null);
