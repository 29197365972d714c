using HilRig.Protocol.Cloud;

namespace HilRig.Protocol.Tests.Cloud;

/// <summary>The gateway cluster's topics (docs/cloud.md §5) and the WiFi module's flash records (docs/cloud.md §4.1).</summary>
public sealed class GatewayAndModuleRecordsTests
{
    [Fact]
    public void Topics_AreNamedPerDevice_And_TheDeviceIsReadBack()
    {
        Assert.Equal(("gw/dev-1/command", "gw/dev-1/reply", "gw/dev-1/offline"), (GatewayTopics.Command("dev-1"), GatewayTopics.Reply("dev-1"), GatewayTopics.Offline("dev-1")));
        Assert.Equal("dev-1", GatewayTopics.DeviceOf("gw/dev-1/reply"));
        Assert.Null(GatewayTopics.DeviceOf("vendor/dev-1/reply"));
        Assert.Null(GatewayTopics.DeviceOf("gw//reply"));
        Assert.Null(GatewayTopics.DeviceOf("gw/dev-1"));
    }

    [Fact]
    public void AddressAnswer_IsAssignedOnlyWhenItSaysSo()
    {
        Assert.True(new AddressAnswer("assigned", "gw-1.2", "127.0.0.1:1883").IsAssigned);
        Assert.False(new AddressAnswer("retry", RetryAfterMs: 500).IsAssigned);
    }

    [Fact]
    public void ModuleSlots_RunTheActiveSlotsVersion_And_WriteTheOther()
    {
        Assert.Equal(("1.0.0", "B"), (new ModuleSlots("A", "1.0.0", "2.0.0").RunningVersion, new ModuleSlots("A", "1.0.0", "2.0.0").Inactive));
        Assert.Equal(("2.0.0", "A"), (new ModuleSlots("B", "1.0.0", "2.0.0").RunningVersion, new ModuleSlots("B", "1.0.0", "2.0.0").Inactive));
        Assert.Equal("0.0.0", new ModuleSlots("B", "1.0.0", null).RunningVersion);
    }

    [Theory]
    [InlineData("127.0.0.1", 1883, true)]
    [InlineData("ota.hilrig.test", 65535, true)]
    [InlineData("", 1883, false)]
    [InlineData("  ", 1883, false)]
    [InlineData("127.0.0.1", 0, false)]
    [InlineData("127.0.0.1", 65536, false)]
    public void AccessConfig_IsUsable_OnlyWithAHostAndAPortFrom1To65535(string host, int port, bool usable) =>
        Assert.Equal(usable, new AccessConfig(host, port, "secret").IsUsable());

    [Theory]
    [InlineData("127.0.0.1", 1883, true)]
    [InlineData("OTA.hilrig.test", 1883, true)]
    [InlineData("ota.hilrig.test.", 1883, true)]
    [InlineData("ota.hilrig.test", 1884, false)]
    [InlineData("acme.hilrig.test", 1883, false)]
    public void AccessConfig_IsTheSameServer_ByHostAndPort_NotBySecretOrTls(string host, int port, bool same)
    {
        var target = new AccessConfig(host == "127.0.0.1" ? "127.0.0.1" : "ota.hilrig.test", 1883, "target-secret") { Tls = true };

        Assert.Equal(same, new AccessConfig(host, port, "another-secret").IsSameServerAs(target));
    }

    [Fact]
    public void ModuleFlashImage_HoldsTheFactoryRecords_And_TheNetworkOnlyWhenGiven()
    {
        var factory = new ModuleFactoryConfig("dev-1", "acme-heater", "ota-1", new Dictionary<string, AccessConfig>());
        var image = new byte[] { 1, 2, 3 };

        var files = ModuleFlashImage.Build(factory, "1.0.0", image, network: null);
        var withNetwork = ModuleFlashImage.Build(factory, "1.0.0", image, new NetworkConfig(1, "bench", "secret", "ota-1"));

        Assert.Equal(new[] { ModuleFlashFiles.Factory, ModuleFlashFiles.SlotA, ModuleFlashFiles.Slots }.Order(), files.Keys.Order());
        Assert.Equal(image, files[ModuleFlashFiles.SlotA]);
        Assert.Equal(new ModuleSlots("A", "1.0.0", null), CloudJson.TryDecode<ModuleSlots>(files[ModuleFlashFiles.Slots], out _));
        Assert.Equal(factory.DeviceId, CloudJson.TryDecode<ModuleFactoryConfig>(files[ModuleFlashFiles.Factory], out _)?.DeviceId);
        Assert.False(files.ContainsKey(ModuleFlashFiles.Network));
        Assert.Equal(new NetworkConfig(1, "bench", "secret", "ota-1"), CloudJson.TryDecode<NetworkConfig>(withNetwork[ModuleFlashFiles.Network], out _));
        Assert.Equal(("factory.json", "netcfg.json", "firmware.json", "slot-a.hrim", "slot-b.hrim"),
            (ModuleFlashFiles.Factory, ModuleFlashFiles.Network, ModuleFlashFiles.Slots, ModuleFlashFiles.SlotA, ModuleFlashFiles.SlotB));
    }
}
