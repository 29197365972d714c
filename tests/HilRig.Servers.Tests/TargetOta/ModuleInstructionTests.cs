using System.Buffers;
using System.Security.Cryptography;
using HilRig.Protocol.Cloud;
using HilRig.Servers.Tests.Support;
using MQTTnet;

namespace HilRig.Servers.Tests.TargetOta;

public sealed class ModuleInstructionTests : TargetOtaTestBase
{
    private static OtaInstruction DecodeInstruction(MqttApplicationMessage message)
    {
        Assert.Equal("ota/dev-1/instruction", message.Topic);
        return CloudJson.TryDecode<OtaInstruction>(message.Payload.ToArray(), out var error) ?? throw new InvalidDataException(error);
    }

    /// <summary>The server's own marker on the device's instruction topic: whatever arrives before it was sent before it.</summary>
    private async Task AssertNothingBeforeABarrierAsync(DeviceClient device)
    {
        await Server.Broker.PublishAsync(CloudTopics.OtaInstruction("dev-1"), "barrier"u8.ToArray(), Cancel);
        Assert.Equal("barrier", (await device.NextMessageAsync("the barrier")).ConvertPayloadToString());
    }

    [Fact]
    public async Task Report_WithAnOlderModule_GetsAnInstruction_ThatDownloadsToItsDigest()
    {
        var published = await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();

        await ReportAsync(device, "dev-1", "2.0.0");

        var instruction = DecodeInstruction(await device.NextMessageAsync("the OTA instruction"));
        Assert.Equal(("2.1.0", "target", published.Url, published.Sha256, published.SizeBytes),
            (instruction.Version, instruction.Issuer, instruction.Url, instruction.Sha256, instruction.SizeBytes));
        var file = await Http.GetByteArrayAsync(instruction.Url, Cancel);
        Assert.Equal(instruction.Sha256, Convert.ToHexStringLower(SHA256.HashData(file)));
        Assert.Equal(instruction, Server.GetDevice("dev-1")!.OutstandingInstruction);
        Sink.AssertNoErrors();
    }

    [Fact]
    public async Task Report_WithThePublishedModule_GetsNoInstruction()
    {
        await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();

        await ReportAsync(device, "dev-1", "2.1.0");

        await AssertNothingBeforeABarrierAsync(device);
        Assert.Null(Server.GetDevice("dev-1")!.OutstandingInstruction);
        Assert.Contains(Sink.Lines, l => l.Kind == "ota" && l.Detail == "dev-1 runs the published module 2.1.0");
    }

    [Theory]
    [InlineData("2.10.0")]
    [InlineData("3.0.0")]
    public async Task Report_WithANewerModule_GetsAnInstructionBackToThePublishedVersion(string running)
    {
        // Differs, not only older (docs/cloud.md §2.1): a bad release is rolled back by publishing the version before it.
        var published = await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();

        await ReportAsync(device, "dev-1", running);

        var instruction = DecodeInstruction(await device.NextMessageAsync("the rollback instruction"));
        Assert.Equal(("2.1.0", published.Sha256), (instruction.Version, instruction.Sha256));
        Assert.Equal(instruction, Server.GetDevice("dev-1")!.OutstandingInstruction);
        Assert.Contains(Sink.Lines, l => l.Kind == "ota"
            && l.Detail == $"dev-1 runs module {running}, newer than the published 2.1.0 (a rollback): instruction {instruction.InstructionId} to 2.1.0");
    }

    [Fact]
    public async Task Report_WithAModuleVersionThatDoesNotParse_GetsNoInstruction()
    {
        await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();

        await ReportAsync(device, "dev-1", "2.1");

        await AssertNothingBeforeABarrierAsync(device);
        Assert.Null(Server.GetDevice("dev-1")!.OutstandingInstruction);
        Assert.Contains(Sink.Lines, l => l.Kind == "ota" && l.Detail == "dev-1 reports module version '2.1', not major.minor.patch: left alone");
    }

    [Fact]
    public async Task Report_WhileAnInstructionIsOutstanding_GetsTheSameInstructionAgain()
    {
        await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0");
        var first = DecodeInstruction(await device.NextMessageAsync("the first instruction"));

        await ReportAsync(device, "dev-1", "2.0.0");

        Assert.Equal(first, DecodeInstruction(await device.NextMessageAsync("the instruction again")));
    }

    [Fact]
    public async Task Report_OfTheInstructedVersion_EndsTheInstruction_AndAFailureMakesANewOne()
    {
        await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0");
        var first = DecodeInstruction(await device.NextMessageAsync("the first instruction"));

        await ReportAsync(device, "dev-1", "2.0.0", reason: "upgrade-failed");
        var second = DecodeInstruction(await device.NextMessageAsync("a new instruction after the failure"));
        await ReportAsync(device, "dev-1", "2.1.0", reason: "rebooted");

        Assert.NotEqual(first.InstructionId, second.InstructionId);
        Assert.Null(Server.GetDevice("dev-1")!.OutstandingInstruction);
        await AssertNothingBeforeABarrierAsync(device);
    }

    [Fact]
    public async Task ModuleUpgradeFailedEvent_EndsTheInstruction()
    {
        await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0");
        var instruction = DecodeInstruction(await device.NextMessageAsync("the instruction"));

        await device.PublishAsync(CloudTopics.OtaEvents("dev-1"),
            CloudJson.Encode(new DeviceEvent("module-upgrade-failed") { InstructionId = instruction.InstructionId, Detail = "sha mismatch" }));
        await Server.WaitForEventAsync("dev-1", e => e.Event == "module-upgrade-failed", "the failure", TestTimeouts.Event, Cancel);

        Assert.Null(Server.GetDevice("dev-1")!.OutstandingInstruction);
    }

    [Fact]
    public async Task PublishingAnOlderModuleImage_RollsBackEveryDeviceThatReportedTheNewerOne()
    {
        await PublishAsync(0x01, "2.2.0");
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.2.0");

        await PublishAsync(0x01, "2.1.0");

        Assert.Equal("2.1.0", DecodeInstruction(await device.NextMessageAsync("the rollback instruction after publishing")).Version);
    }

    [Fact]
    public async Task PublishingAModuleImage_InstructsEveryDeviceThatReportedAnOlderVersion()
    {
        await PublishAsync(0x01, "2.0.0");
        await using var device = await ConnectDeviceAsync();
        await ReportAsync(device, "dev-1", "2.0.0");

        await PublishAsync(0x01, "2.2.0");

        Assert.Equal("2.2.0", DecodeInstruction(await device.NextMessageAsync("the instruction after publishing")).Version);
    }

    [Fact]
    public async Task GarbageReport_IsOneErrorLine_AndTheNextReportIsHandled()
    {
        await PublishAsync(0x01, "2.1.0");
        await using var device = await ConnectDeviceAsync();

        await device.PublishAsync(CloudTopics.OtaReport("dev-1"), "]]"u8.ToArray());
        await device.PublishAsync(CloudTopics.OtaReport("dev-1"), CloudJson.Encode(new DeviceReport("dev-2", "kettle", new ModuleFirmware("1.0.0", "A"), "acme")));
        await ReportAsync(device, "dev-1", "2.0.0");

        Assert.Equal("2.1.0", DecodeInstruction(await device.NextMessageAsync("the instruction")).Version);
        Assert.Equal(2, Sink.Errors.Count);
        Assert.Contains("not a DeviceReport", Sink.Errors[0].Detail, StringComparison.Ordinal);
        Assert.Contains("it names device 'dev-2'", Sink.Errors[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForEvent_ReturnsAMatchingEvent_AndOnTimeoutNamesWhatItAwaitedAndTheLastEvent()
    {
        await using var device = await ConnectDeviceAsync();
        var waiting = Server.WaitForEventAsync("dev-1", e => e.Event == "module-upgrading", "module upgrading", TestTimeouts.Event, Cancel);
        await device.PublishAsync(CloudTopics.OtaEvents("dev-1"), CloudJson.Encode(new DeviceEvent("download-progress") { Offset = 400, SizeBytes = 4000 }));
        await device.PublishAsync(CloudTopics.OtaEvents("dev-1"), CloudJson.Encode(new DeviceEvent("module-upgrading")));

        Assert.Equal("module-upgrading", (await waiting).Event);
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            Server.WaitForEventAsync("dev-1", e => e.Event == "module-upgraded", "module upgraded", TimeSpan.FromMilliseconds(200), Cancel));
        Assert.Equal("target server: no event 'module upgraded' from dev-1 within 0.2 s (last event seen: module-upgrading)", error.Message);
        Assert.Equal(["download-progress", "module-upgrading"], Server.EventsOf("dev-1").Select(e => e.Event));
    }
}
