using HilRig.Bench.Module.Network;
using HilRig.Protocol.Cloud;

namespace HilRig.Bench.Tests.Module;

/// <summary>What the module keeps per campaign id in its flash (docs/cloud.md §2.3, "Retry").</summary>
public sealed class ModuleFlashTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hilrig-module-flash-").FullName;

    public ModuleFlashTests() =>
        File.WriteAllBytes(Path.Combine(_directory, ModuleFlashFiles.Factory),
            CloudJson.Encode(new ModuleFactoryConfig("dev-1", "acme-heater", "ota-1", new Dictionary<string, AccessConfig>())));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void CampaignAttempts_AreKeptPerCampaignId_AcrossReopening()
    {
        var flash = new ModuleFlash(_directory);
        Assert.Empty(flash.LoadCampaignAttempts());

        flash.SaveCampaignAttempt(7, 2);
        flash.SaveCampaignAttempt(9, 2);
        flash.SaveCampaignAttempt(7, 3);
        flash.AddFinishedCampaign(7);

        var reopened = new ModuleFlash(_directory);
        Assert.Equal(new Dictionary<uint, int> { [7] = 3, [9] = 2 }, reopened.LoadCampaignAttempts());
        Assert.Contains(7u, reopened.LoadFinishedCampaigns());
    }
}
