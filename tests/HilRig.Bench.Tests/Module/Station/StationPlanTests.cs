using HilRig.Bench.Module.Network.Station;

namespace HilRig.Bench.Tests.Module.Station;

public sealed class StationPlanTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public StationPlanTests() => File.WriteAllText(_folder.File("ca.pem"), "-----BEGIN CERTIFICATE-----\n");

    public void Dispose() => _folder.Dispose();

    private StationPlan? Parse(string json, out string? error) => StationPlan.TryParse(json, _folder.Path, out error);

    [Fact]
    public void TryParse_Reads_names_TLS_and_MQTT_checks_with_the_CA_relative_to_the_plan()
    {
        var plan = Parse("""
            {"resolve":["ota.hilrig.test","acme.hilrig.test"],
             "tls":[{"host":"ota.hilrig.test","port":8883,"ca":"ca.pem"}],
             "mqtt":[{"host":"acme.hilrig.test","port":8883,"tls":true,"ca":"ca.pem","clientId":"dev-0001","user":"dev-0001","password":"s3cret"},
                     {"host":"10.231.7.1","port":1883,"clientId":"dev-0002"}]}
            """, out var error);

        Assert.Null(error);
        Assert.Equal(["ota.hilrig.test", "acme.hilrig.test"], plan!.Resolve);
        Assert.Equal([new TlsCheck("ota.hilrig.test", 8883, _folder.File("ca.pem"))], plan.Tls);
        Assert.Equal([
            new MqttCheck("acme.hilrig.test", 8883, true, _folder.File("ca.pem"), "dev-0001", "dev-0001", "s3cret"),
            new MqttCheck("10.231.7.1", 1883, false, null, "dev-0002", null, null)], plan.Mqtt);
    }

    [Theory]
    [InlineData("""{"resolve":["ota.hilrig.test"],"tls":[{"host":"ota.hilrig.test","port":70000,"ca":"ca.pem"}]}""", "tls[0].port: expected a port number (1 to 65535), found 70000")]
    [InlineData("""{"tls":[{"host":"ota.hilrig.test","port":8883,"ca":"missing.pem"}]}""", "tls[0].ca: no CA certificate file missing.pem")]
    [InlineData("""{"tls":[{"host":"ota.hilrig.test","port":8883}]}""", "tls[0].ca: missing")]
    [InlineData("""{"mqtt":[{"host":"a.test","port":1883,"clientId":"d"},{"host":"a.test","port":1883}]}""", "mqtt[1].clientId: missing")]
    [InlineData("""{"mqtt":[{"host":"a.test","port":8883,"tls":true,"clientId":"d"}]}""", "mqtt[0].ca: missing; an MQTT check over TLS needs the CA to check the server against")]
    [InlineData("""{"mqtt":[{"host":"a.test","port":8883,"tls":"yes","clientId":"d"}]}""", "mqtt[0].tls: expected true or false, found \"yes\"")]
    [InlineData("""{"resolve":["ota.hilrig.test"],"dns":[]}""", "dns: unknown field (known: resolve, tls, mqtt)")]
    [InlineData("""{"resolve":["ota hilrig"]}""", "resolve[0]: 'ota hilrig' is not a host name or IPv4 address")]
    [InlineData("""{"resolve":"ota.hilrig.test"}""", "resolve: expected a list, found a string")]
    [InlineData("""{"resolve":[]}""", "it checks nothing: give at least one of resolve, tls, mqtt")]
    [InlineData("""[]""", "the plan is a JSON list, expected an object with resolve, tls and mqtt")]
    public void TryParse_Names_the_field_When_the_plan_is_wrong(string json, string expected)
    {
        Assert.Null(Parse(json, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryRead_Names_the_file_When_it_is_not_JSON()
    {
        var path = _folder.File("plan.json");
        File.WriteAllText(path, "resolve: [ota.hilrig.test]");

        Assert.Null(StationPlan.TryRead(path, out var error));

        Assert.StartsWith($"plan {path}: not JSON (", error, StringComparison.Ordinal);
    }
}
