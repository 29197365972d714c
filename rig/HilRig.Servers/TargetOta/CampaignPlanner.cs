using HilRig.Protocol.Cloud;
using HilRig.Protocol.Messages;

namespace HilRig.Servers.TargetOta;

/// <summary>Which chips a campaign upgrades, in which order, and a line per decision for the log.</summary>
internal sealed record CampaignPlan(IReadOnlyList<byte> Order, IReadOnlyList<string> Notes);

/// <summary>
/// Campaign composition (docs/cloud.md §2.3): the chips whose reported version differs from the published one (older or newer),
/// in the product's order, or far-to-near (the reverse of the chain order the device reported) when the product
/// has none.
/// </summary>
internal static class CampaignPlanner
{
    public static CampaignPlan Plan(string deviceId, IReadOnlyList<ChipVersion> chips, IReadOnlyList<byte>? productOrder, Func<byte, PublishedImage?> published)
    {
        var notes = new List<string>();
        var toUpgrade = new HashSet<byte>();
        foreach (var chip in chips)
        {
            var image = published(chip.ModelId);
            if (image is null)
            {
                notes.Add($"{deviceId} chip 0x{chip.ModelId:X2}: no image published, left alone");
            }
            else if (!FirmwareVersion.TryParse(chip.Version, out var running))
            {
                notes.Add($"{deviceId} chip 0x{chip.ModelId:X2}: reported version '{chip.Version}' is not major.minor.patch, left alone");
            }
            else if (VersionOrder.Compare(running, image.Version) is var comparison && comparison == 0)
            {
                notes.Add($"{deviceId} chip 0x{chip.ModelId:X2}: runs the published {image.Version}");
            }
            else if (comparison > 0)
            {
                // Differs, not only older: the chip goes back to the server's version (a bad release rolled back).
                notes.Add($"{deviceId} chip 0x{chip.ModelId:X2}: {running} → {image.Version}, newer than the published: rolled back");
                toUpgrade.Add(chip.ModelId);
            }
            else
            {
                notes.Add($"{deviceId} chip 0x{chip.ModelId:X2}: {running} → {image.Version}");
                toUpgrade.Add(chip.ModelId);
            }
        }
        var order = productOrder ?? chips.Select(c => c.ModelId).Reverse().ToList();
        foreach (var missing in toUpgrade.Where(m => !order.Contains(m)))
        {
            notes.Add($"{deviceId} chip 0x{missing:X2} differs but is not in the product's order: left out");
        }
        return new CampaignPlan(order.Where(toUpgrade.Contains).ToList(), notes);
    }
}
