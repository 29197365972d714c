using HilRig.Bench.Chip;
using HilRig.Bench.Flash;

namespace HilRig.Bench.Tests.Chip;

/// <summary>A cut at every frame boundary of a transfer (docs/protocol.md §9.4, §10.4).</summary>
public sealed partial class ChipFirmwareTests
{
    [Fact]
    public void PowerCut_LeavesBootableImageAndResumableTransfer_When_ItLandsAfterAnyDataFrame()
    {
        using var chip = new ChipUnderTest(Chip3);
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        var snapshots = new List<byte[]> { chip.Flash.Read(0, chip.Layout.TotalSizeBytes).ToArray() };
        for (var offset = 0; offset < image.Length; offset += 512)
        {
            chip.Data((uint)offset, image.AsSpan(offset, Math.Min(512, image.Length - offset)));
            snapshots.Add(chip.Flash.Read(0, chip.Layout.TotalSizeBytes).ToArray());
        }
        using var folder = new TempFolder();

        var failures = new List<string>();
        for (var i = 0; i < snapshots.Count; i++)
        {
            var path = folder.File($"cut-{i}.bin");
            File.WriteAllBytes(path, snapshots[i]);
            using var flash = NorFlash.Open(path, chip.Layout.TotalSizeBytes, chip.Layout.SectorSizeBytes);
            var output = new RecordingChipOutput(() => flash, chip.Layout);
            var rebooted = new ChipFirmware(chip.Config, flash, output);

            var version = rebooted.ActiveVersion;
            if (version != new FirmwareVersion(1, 0, 0) && version != new FirmwareVersion(1, 1, 0))
            {
                failures.Add($"cut after frame {i}: active slot {rebooted.Mark.ActiveSlot} holds no valid image ({version})");
                continue;
            }
            if (rebooted.Mark.PersistedOffset % 4096 != 0 && rebooted.Mark.PersistedOffset != image.Length)
            {
                failures.Add($"cut after frame {i}: persisted offset {rebooted.Mark.PersistedOffset} is not a sector multiple");
            }
            var start = new Frame(MessageType.Start, 0xFF, 0x00, 0, new StartPayload(ChipUnderTest.Campaign, Chip3, chip.NewImage.Header.Encode()).Encode());
            rebooted.Receive(0, new DecodedFrame(start, start.Encode()), chip.Now);
            var ack = Payload.StartAck(output.Sent[0]);
            for (var offset = (int)ack.ResumeOffset; ack.Status == StartStatus.Ok && offset < image.Length; offset += 512)
            {
                var data = new Frame(MessageType.Data, Chip3, 0x00, 0, new DataPayload((uint)offset, image.AsSpan(offset, Math.Min(512, image.Length - offset)).ToArray()).Encode());
                rebooted.Receive(0, new DecodedFrame(data, data.Encode()), chip.Now);
            }
            var complete = output.Sent.LastOrDefault(s => s.Frame.Type == MessageType.Complete);
            if (complete is null || Payload.Complete(complete).Status != CompleteStatus.Activated
                || !flash.Read(chip.Layout.ImageSlotAddress(1), image.Length).SequenceEqual(image))
            {
                failures.Add($"cut after frame {i}: resumed at {ack.ResumeOffset} ({ack.Status}) but did not end activated with the right bytes");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Equal((image.Length + 511) / 512 + 1, snapshots.Count);
    }
}
