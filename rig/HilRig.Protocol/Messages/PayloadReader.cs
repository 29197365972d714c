using System.Buffers.Binary;

namespace HilRig.Protocol.Messages;

/// <summary>Reads little-endian fields from a payload, recording the first short read instead of throwing.</summary>
internal ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public PayloadReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
        Error = null;
    }

    public string? Error { get; private set; }

    public int Remaining => _data.Length - _position;

    private bool Need(int count, string field)
    {
        if (Error is not null)
        {
            return false;
        }
        if (_position + count > _data.Length)
        {
            Error = $"payload too short for {field}: needs {count} byte(s) at offset {_position}, has {_data.Length - _position}";
            return false;
        }
        return true;
    }

    public byte U8(string field) => Need(1, field) ? _data[_position++] : (byte)0;

    public ushort U16(string field)
    {
        if (!Need(2, field)) return 0;
        var v = BinaryPrimitives.ReadUInt16LittleEndian(_data[_position..]);
        _position += 2;
        return v;
    }

    public uint U32(string field)
    {
        if (!Need(4, field)) return 0;
        var v = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return v;
    }

    public ulong U64(string field)
    {
        if (!Need(8, field)) return 0;
        var v = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return v;
    }

    public FirmwareVersion Version(string field)
    {
        if (!Need(FirmwareVersion.SizeBytes, field)) return default;
        var v = FirmwareVersion.Read(_data[_position..]);
        _position += FirmwareVersion.SizeBytes;
        return v;
    }

    public byte[] Bytes(int count, string field)
    {
        if (!Need(count, field)) return [];
        var v = _data.Slice(_position, count).ToArray();
        _position += count;
        return v;
    }

    /// <summary>Records <paramref name="message"/> as the error unless one is recorded already.</summary>
    public void Fail(string message) => Error ??= message;

    public byte[] Rest() => Error is null ? Bytes(Remaining, "rest") : [];

    /// <summary>Records an error when bytes are left over after the last field.</summary>
    public void End(string message)
    {
        if (Error is null && Remaining != 0)
        {
            Error = $"{message}: {Remaining} unexpected trailing byte(s)";
        }
    }
}

/// <summary>Writes little-endian fields into a growing payload.</summary>
internal sealed class PayloadWriter
{
    private readonly List<byte> _bytes = new();

    public PayloadWriter U8(byte v) { _bytes.Add(v); return this; }

    public PayloadWriter U16(ushort v) { _bytes.Add((byte)v); _bytes.Add((byte)(v >> 8)); return this; }

    public PayloadWriter U32(uint v)
    {
        for (var i = 0; i < 4; i++) _bytes.Add((byte)(v >> (8 * i)));
        return this;
    }

    public PayloadWriter U64(ulong v)
    {
        for (var i = 0; i < 8; i++) _bytes.Add((byte)(v >> (8 * i)));
        return this;
    }

    public PayloadWriter Version(FirmwareVersion v)
    {
        Span<byte> b = stackalloc byte[FirmwareVersion.SizeBytes];
        v.Write(b);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public PayloadWriter Bytes(ReadOnlySpan<byte> v) { _bytes.AddRange(v.ToArray()); return this; }

    public byte[] ToArray() => _bytes.ToArray();
}
