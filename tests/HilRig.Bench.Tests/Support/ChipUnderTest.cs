using HilRig.Bench.Chip;
using HilRig.Bench.Flash;
using HilRig.Protocol.Images;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Tests.Support;

/// <summary>
/// One emulated chip on a temp flash file with a factory image (version 1.0.0) in slot A, driven frame
/// by frame with no I/O. <see cref="PowerCycle"/> replaces the firmware instance on the same flash;
/// <see cref="RebootFromFile"/> also reopens the flash from its file, as the next chip process would.
/// </summary>
internal sealed class ChipUnderTest : IDisposable
{
    public const uint Campaign = 0x01020304;

    private readonly TempFolder _folder = new();
    private byte _sequence;

    public ChipUnderTest(byte modelId, int downstreamPorts = 0, bool operating = false, MemoryMarkRecord? mark = null, ChipDefect defects = ChipDefect.None,
        bool selectiveAck = true)
    {
        Defects = defects;
        Config = new ChipConfig($"chip-{modelId:x2}", modelId, downstreamPorts, FlashLayout.Default) { SelectiveAck = selectiveAck };
        Flash = NorFlash.Open(_folder.File("flash.bin"), Layout.TotalSizeBytes, Layout.SectorSizeBytes);
        FactoryProgrammer.Program(Flash, Layout, SampleImages.Build(modelId, new(1, 0, 0), 3000).Encode());
        if (mark is not null)
        {
            new MemoryMarkStore(Flash, Layout).Write(mark);
        }
        Output = new RecordingChipOutput(() => Flash, Layout);
        Firmware = new ChipFirmware(Config, Flash, Output, operating, defects);
    }

    public ChipDefect Defects { get; }

    public ChipConfig Config { get; }

    public FlashLayout Layout => Config.Layout;

    public NorFlash Flash { get; private set; }

    public string FlashPath => _folder.File("flash.bin");

    public RecordingChipOutput Output { get; private set; }

    public ChipFirmware Firmware { get; private set; }

    public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The upgrade image this chip is given (body ends inside a sector).</summary>
    public FirmwareImage NewImage => SampleImages.Build(Config.ModelId, new(1, 1, 0), 3 * 4096 + 700);

    /// <summary>Delivers a frame on <paramref name="port"/> and returns what the chip sent in reply.</summary>
    public List<SentFrame> Deliver(int port, MessageType type, byte destination, byte source, byte[] payload)
    {
        var frame = new Frame(type, destination, source, _sequence++, payload);
        Firmware.Receive(port, new DecodedFrame(frame, frame.Encode()), Now);
        return Output.TakeAll();
    }

    public List<SentFrame> Start(byte target, ImageHeader header, uint campaign = Campaign) =>
        Deliver(0, MessageType.Start, Address.Broadcast, Address.Module, new StartPayload(campaign, target, header.Encode()).Encode());

    /// <summary>The START_ACK of the chip on downstream <paramref name="port"/> (addressed to this chip, which passed the START on).</summary>
    public List<SentFrame> AnswerStartFromBelow(int port, byte chip, ChipMode mode, uint campaign = Campaign) =>
        Deliver(port, MessageType.StartAck, Config.ModelId, chip, new StartAckPayload(campaign, chip, mode, 0, StartStatus.Ok).Encode());

    public List<SentFrame> Data(uint offset, ReadOnlySpan<byte> bytes) =>
        Deliver(0, MessageType.Data, Config.ModelId, Address.Module, new DataPayload(offset, bytes.ToArray()).Encode());

    /// <summary>Sends <paramref name="image"/> from <paramref name="from"/> up to <paramref name="to"/> in 512-byte DATA frames.</summary>
    public List<SentFrame> Stream(byte[] image, int from, int to)
    {
        var sent = new List<SentFrame>();
        for (var offset = from; offset < to; offset += 512)
        {
            sent.AddRange(Data((uint)offset, image.AsSpan(offset, Math.Min(512, to - offset))));
        }
        return sent;
    }

    /// <summary>A power cut and restart: volatile state is lost, the flash stays.</summary>
    public void PowerCycle()
    {
        Output = new RecordingChipOutput(() => Flash, Layout);
        Firmware = new ChipFirmware(Config, Flash, Output, defects: Defects);
    }

    /// <summary>A power cut and restart that reads the flash back from its file (no fault plan attached).</summary>
    public void RebootFromFile()
    {
        Flash.Dispose();
        Flash = NorFlash.Open(FlashPath, Layout.TotalSizeBytes, Layout.SectorSizeBytes);
        PowerCycle();
    }

    /// <summary>From now on, counts flash operations from 1 and cuts the power inside number <paramref name="operation"/>.</summary>
    public FlashFaultPlan CutInside(long? operation, int seed = 0)
    {
        var plan = new FlashFaultPlan(operation, seed);
        Flash.FaultPlan = plan;
        return plan;
    }

    public byte[] ReadImageSlot(int slot, int count) => Flash.Read(Layout.ImageSlotAddress(slot), count).ToArray();

    public void Dispose()
    {
        Flash.Dispose();
        _folder.Dispose();
    }
}
