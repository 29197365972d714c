using HilRig.Gherkin;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps of selective-ack.feature: a lossy link, a chip that still speaks 1.1, and what the module sent (docs/protocol.md §7.3.1).</summary>
[Binding]
public sealed class SelectiveAckSteps(BenchDriver bench, LossyLinkDriver link, UpgradeDriver upgrade, ScenarioRun scenario)
{
    private static readonly string[] Ordinals = ["", "", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

    [Given(@"^(\w+) speaks protocol 1\.1$")]
    public Task GivenTheChipSpeaksProtocol11(string chip) => link.SpeakProtocol11Async(chip);

    [Given(@"^every (second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth) DATA frame going down the link above (\w+) is lost$")]
    public void GivenEveryNthDataFrameIsLost(string ordinal, string chip) => link.LoseEveryNthDataFrame(chip, Array.IndexOf(Ordinals, ordinal));

    [Then(@"^the module sent at most (\d+(?:\.\d+)?) times (\w+)'s image$")]
    public void ThenTheModuleSentAtMost(decimal factor, string chip)
    {
        var accounting = upgrade.Accounting ?? throw new InvalidOperationException("no upgrade ran in this scenario");
        var size = upgrade.Images.TryGetValue(chip, out var image) ? image.Header.ImageSizeBytes
            : throw new InvalidOperationException($"{chip} was not upgraded in this scenario");
        var sent = accounting.BytesSent(bench.Chip(chip).ModelId);
        var summary = $"{chip}: {sent} image bytes sent for a {size}-byte image ({(double)sent / size:0.00} times; image bytes / bytes sent {(double)size / sent:0.00})";
        scenario.Attach($"sent-{chip}.txt", "text/plain", summary);
        Expect.That(sent <= size * factor, $"{summary}: more than {factor} times");
    }
}
