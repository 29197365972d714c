using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Persistence;

namespace HilRig.Protocol.Tests.Persistence;

public sealed class MemoryMarkRecordTests
{
    private static MemoryMarkRecord Record(uint sequence) =>
        new(sequence, ChipMode.Upgrade, 1, UpgradeState.Receiving, 7, 8192, 13647, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    [Property]
    public bool TryDecode_ReturnsEncodedRecord_When_FieldsAreArbitrary(uint sequence, byte mode, byte slot, byte state, uint campaign, uint persisted, uint size, byte[] seed)
    {
        var digest = Enumerable.Range(0, 32).Select(i => seed.Length == 0 ? (byte)i : seed[i % seed.Length]).ToArray();
        var record = new MemoryMarkRecord(sequence, (ChipMode)mode, slot, (UpgradeState)state, campaign, persisted, size, digest);

        var bytes = record.Encode();
        var decoded = MemoryMarkRecord.TryDecode(bytes);

        return bytes.Length == MemoryMarkRecord.SizeBytes && decoded is not null
            && decoded with { ImageDigest = digest } == record
            && decoded.ImageDigest.SequenceEqual(digest);
    }

    [Property]
    public Property TryDecode_RejectsRecord_When_AnyByteIsFlipped(uint sequence, int position, byte xor)
    {
        var bytes = Record(sequence).Encode();
        var at = (int)((uint)position % MemoryMarkRecord.SizeBytes);
        bytes[at] ^= xor == 0 ? (byte)0x80 : xor;

        return (MemoryMarkRecord.TryDecode(bytes) is null).Label($"byte {at} changed");
    }

    [Fact]
    public void TryDecode_RejectsSlot_When_SectorIsErased()
    {
        Assert.Null(MemoryMarkRecord.TryDecode(Enumerable.Repeat((byte)0xFF, 64).ToArray()));
    }

    [Fact]
    public void Encode_PlacesFieldsAtDocumentedOffsets_When_Called()
    {
        var b = Record(0x01020304).Encode();

        Assert.Equal("MMRK"u8.ToArray(), b[..4]);
        Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)));
        Assert.Equal(new byte[] { 1, 1, 1, 0 }, b[8..12]);
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)));
        Assert.Equal(8192u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(16)));
        Assert.Equal(13647u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(20)));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i), b[24..56]);
        Assert.All(b[56..60], x => Assert.Equal(0, x));
        Assert.Equal(Crc32.Compute(b.AsSpan(0, 60)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(60)));
    }

    [Property]
    public Property Choose_PicksNewerBySerialArithmetic_When_BothSlotsAreValid(uint older, int step, bool newerInSlot1)
    {
        var delta = (uint)(step & int.MaxValue) % int.MaxValue + 1; // 1 .. 2^31-1: "newer" in serial arithmetic
        var oldRecord = Record(older);
        var newRecord = Record(older + delta);

        var (chosen, slot) = newerInSlot1 ? MemoryMarkRecord.Choose(oldRecord, newRecord) : MemoryMarkRecord.Choose(newRecord, oldRecord);

        return (chosen == newRecord && slot == (newerInSlot1 ? 1 : 0)).Label($"older {older}, delta {delta}");
    }

    [Theory]
    [InlineData(0xFFFFFFFFu, 0u)]
    [InlineData(0x7FFFFFFFu, 0x80000000u)]
    [InlineData(5u, 6u)]
    [InlineData(0xFFFFFFF0u, 3u)]
    public void Choose_PicksNewer_When_SequenceWraps(uint older, uint newer)
    {
        Assert.Equal(1, MemoryMarkRecord.Choose(Record(older), Record(newer)).Slot);
        Assert.Equal(0, MemoryMarkRecord.Choose(Record(newer), Record(older)).Slot);
    }

    [Fact]
    public void Choose_ReturnsFactory_When_NoSlotIsValid()
    {
        var (record, slot) = MemoryMarkRecord.Choose(null, null);

        Assert.Same(MemoryMarkRecord.Factory, record);
        Assert.Equal(-1, slot);
        Assert.Equal((0u, ChipMode.Initial, (byte)0, UpgradeState.Idle), (record.Sequence, record.Mode, record.ActiveSlot, record.State));
    }

    [Fact]
    public void Choose_ReturnsTheValidOne_When_OnlyOneSlotIsValid()
    {
        Assert.Equal(1, MemoryMarkRecord.Choose(null, Record(3)).Slot);
        Assert.Equal(0, MemoryMarkRecord.Choose(Record(3), null).Slot);
    }
}
