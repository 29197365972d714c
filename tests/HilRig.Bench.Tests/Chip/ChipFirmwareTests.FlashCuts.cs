using System.Security.Cryptography;
using HilRig.Bench.Chip;
using HilRig.Bench.Flash;
using HilRig.Protocol.Images;

namespace HilRig.Bench.Tests.Chip;

/// <summary>
/// A cut inside every flash operation of a transfer, torn from a seed (docs/protocol.md §9.4, §10.4,
/// §10.5): the unit-level form of MCUboot's simulator property.
/// </summary>
public sealed partial class ChipFirmwareTests
{
    /// <summary>Runs START and the whole image; returns the flash operations it did.</summary>
    private static List<FlashOperation> TransferOperations(ChipDefect defect = ChipDefect.None)
    {
        using var chip = new ChipUnderTest(Chip3, defects: defect);
        var plan = chip.CutInside(null);
        var operations = new List<FlashOperation>();
        plan.OperationStarting += operations.Add;
        var image = chip.NewImage.Encode();
        chip.Start(Chip3, chip.NewImage.Header);
        chip.Stream(image, 0, image.Length);
        Assert.Equal(new FirmwareVersion(1, 1, 0), chip.Firmware.ActiveVersion);
        return operations;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void FlashCut_LeavesBootableImageAndTransferFinishesRight_When_ItLandsInsideAnyFlashOperation(int seed)
    {
        var operations = TransferOperations();

        var failures = CutInsideEachOperation(operations, seed, ChipDefect.None);

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.InRange(operations.Count, 30, 60);
    }

    [Theory]
    [InlineData(ChipDefect.SingleSlotMark)]
    [InlineData(ChipDefect.ResumeFromZero)]
    public void FlashCutSweep_ReportsFailures_When_ChipHasAPersistenceDefect(ChipDefect defect)
    {
        var failures = CutInsideEachOperation(TransferOperations(defect), seed: 0, defect);

        Assert.NotEmpty(failures);
    }

    [Fact]
    public void FlashOperations_AreTheSameEveryRun_When_TransferRepeats()
    {
        Assert.Equal(TransferOperations(), TransferOperations());
    }

    /// <summary>
    /// For each operation: a fresh chip runs the transfer with the power cut inside it, reboots from the
    /// flash file, must hold a bootable image, must not resume behind an acknowledged offset, and must end
    /// with the new image active after the transfer is finished. Returns what went wrong.
    /// </summary>
    private static List<string> CutInsideEachOperation(List<FlashOperation> operations, int seed, ChipDefect defect)
    {
        var failures = new List<string>();
        foreach (var operation in operations)
        {
            using var chip = new ChipUnderTest(Chip3, defects: defect);
            var image = chip.NewImage.Encode();
            chip.CutInside(operation.Number, seed);
            var before = new List<SentFrame>();
            var cut = Assert.Throws<PowerCutException>(() =>
            {
                before.AddRange(chip.Start(Chip3, chip.NewImage.Header));
                for (var offset = 0; offset < image.Length; offset += 512)
                {
                    before.AddRange(chip.Data((uint)offset, image.AsSpan(offset, Math.Min(512, image.Length - offset))));
                }
            });
            before.AddRange(chip.Output.TakeAll());
            Assert.Equal(operation, cut.Operation);
            var where = $"seed {seed}, cut inside {operation} torn after {cut.TornAfterBytes}";

            chip.RebootFromFile();

            if (ActiveImageProblem(chip) is { } problem)
            {
                failures.Add($"{where}: {problem}");
                continue;
            }
            var acknowledged = before.Where(s => s.Frame.Type == MessageType.DataAck).Select(s => Payload.DataAck(s).Persisted).DefaultIfEmpty(0u).Max();
            var after = chip.Start(Chip3, chip.NewImage.Header);
            var ack = Payload.StartAck(after[0]);
            if (ack.Status == StartStatus.Ok && ack.ResumeOffset < acknowledged)
            {
                failures.Add($"{where}: resumes at {ack.ResumeOffset}, behind the acknowledged {acknowledged}");
            }
            if (ack.Status == StartStatus.Ok)
            {
                after.AddRange(chip.Stream(image, (int)ack.ResumeOffset, image.Length));
            }
            var complete = after.LastOrDefault(s => s.Frame.Type == MessageType.Complete);
            if (complete is null || Payload.Complete(complete).Status != CompleteStatus.Activated
                || chip.Firmware.ActiveVersion != new FirmwareVersion(1, 1, 0) || !chip.ReadImageSlot(chip.Firmware.Mark.ActiveSlot, image.Length).SequenceEqual(image))
            {
                failures.Add($"{where}: resumed at {ack.ResumeOffset} ({ack.Status}) but did not end activated with the right bytes");
            }
        }
        return failures;
    }

    /// <summary>Null when the slot the mark names holds a complete image of this chip whose digest checks out.</summary>
    private static string? ActiveImageProblem(ChipUnderTest chip)
    {
        var slot = chip.Layout.ImageSlotAddress(chip.Firmware.Mark.ActiveSlot);
        var header = ImageHeader.TryDecode(chip.Flash.Read(slot, ImageHeader.SizeBytes), out var error);
        if (header is null || header.ModelId != chip.Config.ModelId || header.ImageSizeBytes > chip.Layout.SlotSizeBytes)
        {
            return $"active slot {chip.Firmware.Mark.ActiveSlot} holds no image header ({error})";
        }
        var body = chip.Flash.Read(slot + ImageHeader.SizeBytes, (int)header.BodySizeBytes);
        return SHA256.HashData(body).AsSpan().SequenceEqual(header.BodySha256)
            ? null
            : $"active slot {chip.Firmware.Mark.ActiveSlot} holds version {header.Version} whose digest does not check out";
    }
}
