namespace HilRig.Servers.Tests.Support;

/// <summary>Tests of the download of one image the target server has published: its bytes and its URL.</summary>
public abstract class OneImageTestBase(byte modelId, int bodyBytes) : TargetOtaTestBase
{
    /// <summary>The image file as published.</summary>
    protected byte[] ImageBytes { get; private set; } = [];

    /// <summary>Where the server serves it.</summary>
    protected string ImageUrl { get; private set; } = "";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var (name, bytes) = WriteImage(modelId, "1.1.0", bodyBytes);
        ImageBytes = bytes;
        ImageUrl = (await Server.PublishFirmwareAsync(modelId, "1.1.0", name, Cancel)).Url;
    }
}
