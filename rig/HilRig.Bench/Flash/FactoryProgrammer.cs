using HilRig.Protocol.Images;
using HilRig.Protocol.Persistence;

namespace HilRig.Bench.Flash;

/// <summary>Programs a factory image into slot A of a blank flash, as a production line would.</summary>
public static class FactoryProgrammer
{
    /// <summary>Erases slot A and writes <paramref name="image"/> (a whole image file) at its start.</summary>
    public static void Program(NorFlash flash, FlashLayout layout, byte[] image)
    {
        if (FirmwareImage.TryDecode(image, out var error) is null)
        {
            throw new InvalidDataException($"factory image is not a valid image: {error}");
        }
        if (image.Length > layout.SlotSizeBytes)
        {
            throw new InvalidDataException($"factory image of {image.Length} bytes does not fit a {layout.SlotSizeBytes}-byte slot");
        }
        var slot = layout.ImageSlotAddress(0);
        for (var s = 0; s < image.Length; s += layout.SectorSizeBytes)
        {
            flash.EraseSector(slot + s);
        }
        flash.Program(slot, image);
    }
}
