using System.Text.Json;
using HilRig.Protocol.Control;

namespace HilRig.Protocol.Tests.Control;

/// <summary>The rig's campaign request to the module (docs/protocol.md §11.1): what it refuses, and its JSON on the control channel.</summary>
public sealed class CampaignRequestTests
{
    private static CampaignRequest Request(int chunk = CampaignRequest.DefaultChunkBytes, int window = CampaignRequest.DefaultWindowBytes, params byte[] order) =>
        new(7, order.Length == 0 ? [0x12] : order, new Dictionary<string, string> { ["18"] = "chip-12.hrim" }, chunk, window);

    [Theory]
    [InlineData(1, 8192, null)]
    [InlineData(1020, 8192, null)]
    [InlineData(0, 8192, "chunk of 0 bytes is outside 1..1020")]
    [InlineData(1021, 8192, "chunk of 1021 bytes is outside 1..1020")]
    [InlineData(512, 8191, "window of 8191 bytes is below 8192 bytes or one chunk")]
    public void Validate_KeepsChunkAndWindowInTheirBounds(int chunk, int window, string? expected) =>
        Assert.Equal(expected, Request(chunk, window).Validate());

    [Fact]
    public void Validate_NamesAnEmptyOrderAndEveryChipWithoutAnImage()
    {
        Assert.Equal("the order names no chip", new CampaignRequest(7, [], new Dictionary<string, string>()).Validate());
        Assert.Equal("no image for chip(s) 0x13, 0x21", Request(order: [0x12, 0x13, 0x21]).Validate());
    }

    [Fact]
    public void ImageFor_GivesThePath_Or_NamesTheChipWithout()
    {
        Assert.Equal("chip-12.hrim", Request().ImageFor(0x12));
        var ex = Assert.Throws<InvalidOperationException>(() => Request().ImageFor(0x13));
        Assert.Equal("campaign 7 has no image for chip 0x13", ex.Message);
    }

    [Fact]
    public void ModuleEvent_IsWrittenInCamelCase_WithoutEmptyFields()
    {
        var json = JsonSerializer.Serialize(new ModuleEvent("chip-complete") { Chip = 0x12, Detail = "1.1.0", BytesSent = 4160 }, ControlJson.Options);

        Assert.Equal("{\"event\":\"chip-complete\",\"chip\":18,\"detail\":\"1.1.0\",\"bytesSent\":4160}", json);
        Assert.Equal(new ModuleEvent("chip-complete") { Chip = 0x12, Detail = "1.1.0", BytesSent = 4160 }, JsonSerializer.Deserialize<ModuleEvent>(json, ControlJson.Options));
    }
}
