using Xunit;

namespace HilRig.Core.Tests.Links;

/// <summary>Reading a line's bytes in tests, never waiting longer than 10 s for them.</summary>
internal static class LineReads
{
    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }
}
