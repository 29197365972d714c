using System.Text;
using FsCheck.Xunit;
using HilRig.Protocol.Framing;

namespace HilRig.Protocol.Tests.Framing;

public sealed class Crc32Tests
{
    [Fact]
    public void Compute_GivesCheckValue_When_InputIsTheStandardCheckString()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Property]
    public bool Update_MatchesCompute_When_InputIsSplitAnywhere(byte[] data, int split)
    {
        var at = data.Length == 0 ? 0 : (int)((uint)split % (uint)(data.Length + 1));
        var register = Crc32.Update(Crc32.Update(Crc32.Start, data.AsSpan(0, at)), data.AsSpan(at));
        return Crc32.Finish(register) == Crc32.Compute(data);
    }

    [Property]
    public bool Compute_MatchesBitwiseReference_When_InputIsArbitrary(byte[] data)
    {
        // The bitwise C function of docs/protocol.md §3.2, transcribed.
        var reg = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            reg ^= b;
            for (var k = 0; k < 8; k++)
            {
                reg = (reg & 1u) != 0 ? (reg >> 1) ^ 0xEDB88320u : reg >> 1;
            }
        }
        return (reg ^ 0xFFFFFFFFu) == Crc32.Compute(data);
    }
}
