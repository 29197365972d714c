using Xunit;
using HilRig.Core.Faults;

namespace HilRig.Core.Tests.Faults;

/// <summary>The module's own count the download trigger fires on: the size of its partial file.</summary>
public sealed class AtDownloadedBytesTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _downloads = Path.Combine(Path.GetTempPath(), "hilrig-partial-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private string Part(string name) => Path.Combine(_downloads, name);

    private static void Append(string path, int bytes)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        file.Write(new byte[bytes]);
    }

    [Fact]
    public async Task FiresWhenAPartialFileGrowsToTheCount_NotBefore()
    {
        Directory.CreateDirectory(_downloads);
        var before = AtDownloadedBytes.PartialFiles(_downloads);
        var path = Part("module-2.1.0-abcdef01.part");
        Append(path, 4000);

        var held = AtDownloadedBytes.WaitForPartialFileAsync(_downloads, before, 5000, Cancel);
        Assert.False(held.IsCompleted, "fired at 4000 bytes of 5000");
        Append(path, 1000);

        await held.WaitAsync(Timeout, Cancel);
    }

    [Fact]
    public async Task APartialFileLeftFromBeforeArming_DoesNotCount_UntilItGrows()
    {
        Directory.CreateDirectory(_downloads);
        var stale = Part("chip-12-1.1.0-00000000.hrim.part");
        Append(stale, 9000);
        var before = AtDownloadedBytes.PartialFiles(_downloads);

        var held = AtDownloadedBytes.WaitForPartialFileAsync(_downloads, before, 5000, Cancel);
        Assert.False(held.IsCompleted, "a partial file that was already there when the fault was armed fired it");
        Append(stale, 10);

        await held.WaitAsync(Timeout, Cancel);
    }

    [Fact]
    public async Task APartialFileCreatedAfterArming_AndFilesThatAreNotPartial()
    {
        var before = AtDownloadedBytes.PartialFiles(_downloads);
        Assert.Empty(before);

        var held = AtDownloadedBytes.WaitForPartialFileAsync(_downloads, before, 5000, Cancel);
        Append(Part("chip-11-1.1.0-00000000.hrim"), 9000);
        Assert.False(held.IsCompleted, "a finished download (no .part) fired it");
        Append(Part("module-2.1.0-abcdef01.part"), 6000);

        await held.WaitAsync(Timeout, Cancel);
    }

    [Fact]
    public async Task Cancelled_EndsTheWait()
    {
        Directory.CreateDirectory(_downloads);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var held = AtDownloadedBytes.WaitForPartialFileAsync(_downloads, AtDownloadedBytes.PartialFiles(_downloads), 5000, cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(Timeout, Cancel));
    }

    public void Dispose()
    {
        if (Directory.Exists(_downloads))
        {
            Directory.Delete(_downloads, recursive: true);
        }
    }
}
