namespace HilRig.Bench.Flash;

/// <summary>
/// Emulated NOR flash kept in a file: erase sets a whole sector to 0xFF, program can only clear bits
/// (new = old AND data), reads are free. Every operation is written through to the file at once, so a
/// killed process (a power cut) leaves exactly the flash state of the last completed operation. With a
/// <see cref="FaultPlan"/> attached, a cut can also land inside an operation (a torn erase or program).
/// </summary>
public sealed class NorFlash : IDisposable
{
    private readonly FileStream _file;
    private readonly byte[] _image;

    private NorFlash(FileStream file, byte[] image, int sectorSizeBytes)
    {
        _file = file;
        _image = image;
        SectorSizeBytes = sectorSizeBytes;
    }

    /// <summary>Sector (erase unit) size.</summary>
    public int SectorSizeBytes { get; }

    /// <summary>Total size.</summary>
    public int SizeBytes => _image.Length;

    /// <summary>Erase and program operations done since this flash was opened.</summary>
    public long OperationCount { get; private set; }

    /// <summary>
    /// Numbers the operations from when it is attached and may cut the power inside one of them; null (the
    /// default) for a flash that never tears.
    /// </summary>
    public FlashFaultPlan? FaultPlan { get; set; }

    /// <summary>
    /// Opens the flash file, creating it fully erased (0xFF) when it does not exist. An existing file
    /// of another size is refused: the wiring changed under a kept flash file.
    /// </summary>
    public static NorFlash Open(string path, int sizeBytes, int sectorSizeBytes)
    {
        var exists = File.Exists(path);
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var image = new byte[sizeBytes];
        if (exists)
        {
            if (file.Length != sizeBytes)
            {
                var actual = file.Length;
                file.Dispose();
                throw new InvalidDataException($"flash file {path} is {actual} bytes, the wiring says {sizeBytes}");
            }
            file.ReadExactly(image);
        }
        else
        {
            Array.Fill(image, (byte)0xFF);
            file.Write(image);
            file.Flush();
        }
        return new NorFlash(file, image, sectorSizeBytes);
    }

    /// <summary>Reads bytes.</summary>
    public ReadOnlySpan<byte> Read(int address, int count)
    {
        Check(address, count);
        return _image.AsSpan(address, count);
    }

    /// <summary>Erases the sector that starts at <paramref name="address"/>.</summary>
    public void EraseSector(int address)
    {
        if (address % SectorSizeBytes != 0)
        {
            throw new ArgumentException($"erase address 0x{address:X} is not sector aligned");
        }
        Check(address, SectorSizeBytes);
        var plan = FaultPlan;
        if (plan?.Begin(FlashOperationKind.Erase, address, SectorSizeBytes) is { } operation && plan.CutsInside(operation))
        {
            var done = plan.TearErase(operation, _image.AsSpan(address, SectorSizeBytes));
            throw PowerCut(operation, done);
        }
        _image.AsSpan(address, SectorSizeBytes).Fill(0xFF);
        WriteThrough(address, SectorSizeBytes);
    }

    /// <summary>Programs bytes: each stored bit can only go from 1 to 0.</summary>
    public void Program(int address, ReadOnlySpan<byte> data)
    {
        Check(address, data.Length);
        var plan = FaultPlan;
        if (plan?.Begin(FlashOperationKind.Program, address, data.Length) is { } operation && plan.CutsInside(operation))
        {
            var done = plan.TearProgram(operation, _image.AsSpan(address, data.Length), data);
            throw PowerCut(operation, done);
        }
        for (var i = 0; i < data.Length; i++)
        {
            _image[address + i] &= data[i];
        }
        WriteThrough(address, data.Length);
    }

    private void WriteThrough(int address, int count)
    {
        OperationCount++;
        Persist(address, count);
    }

    private void Persist(int address, int count)
    {
        _file.Position = address;
        _file.Write(_image, address, count);
        _file.Flush();
    }

    /// <summary>Puts the torn range on the file, as the cells hold it when the power fails.</summary>
    private PowerCutException PowerCut(FlashOperation operation, int tornAfterBytes)
    {
        Persist(operation.Address, operation.LengthBytes);
        return new PowerCutException(operation, tornAfterBytes);
    }

    private void Check(int address, int count)
    {
        if (address < 0 || count < 0 || address + count > _image.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(address), $"flash access 0x{address:X}+{count} outside 0..0x{_image.Length:X}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
