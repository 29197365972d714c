using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HilRig.Protocol.Cloud;
using MQTTnet;

namespace HilRig.Gateway.Cluster.Endpoints;

/// <summary>What the rig writes and opens to start the mosquitto of an access node: its config, the dynamic security file, the backend login.</summary>
internal sealed partial class MosquittoEndpoint
{
    private string ConfigFile(int port, string plugin, string security) => string.Create(CultureInfo.InvariantCulture, $"""
        # Written by the rig for access node {_node.NodeId}; loopback only. The listener comes first: listener options written
        # before any listener line would open mosquitto's default listener on every address, port 1883. max_connections must
        # follow the listener line to apply (mosquitto 2.0.11); it counts every socket, the backend's included: capacity + 1.
        listener {port} 127.0.0.1
        max_connections {_node.Capacity + 1}
        per_listener_settings false
        allow_anonymous false
        plugin {plugin}
        plugin_opt_config_file {security}
        use_username_as_clientid true
        persistence false
        set_tcp_nodelay true
        connection_messages true
        log_timestamp false
        log_dest stderr
        log_type error
        log_type warning
        log_type notice
        log_type subscribe
        # Run as the rig's own user (when the rig runs as root mosquitto would otherwise switch to the user "mosquitto",
        # which cannot write the plugin's file back).
        user {Environment.UserName}

        """);

    /// <summary>The dynamic security plugin's file: the backend (all of gw/#, the plugin's control topics) and one login and one role per device.</summary>
    private static string SecurityFile(string backendPassword, IReadOnlyList<KeyValuePair<string, string>> devices)
    {
        static JsonObject Acl(string type, string topic) => new() { ["acltype"] = type, ["topic"] = topic, ["allow"] = true };
        var clients = new JsonArray { Client(GatewayDeviceCredentials.BackendUser, backendPassword, "backend") };
        var roles = new JsonArray
        {
            new JsonObject
            {
                ["rolename"] = "backend",
                ["acls"] = new JsonArray
                {
                    Acl("publishClientSend", ControlTopic + "/#"), Acl("publishClientReceive", ControlTopic + "/#"), Acl("subscribePattern", ControlTopic + "/#"),
                    Acl("publishClientSend", "gw/#"), Acl("publishClientReceive", "gw/#"), Acl("subscribePattern", "gw/#"), Acl("unsubscribePattern", "#"),
                },
            },
        };
        foreach (var (deviceId, secret) in devices)
        {
            clients.Add(Client(deviceId, secret, RoleOf(deviceId)));
            roles.Add(new JsonObject { ["rolename"] = RoleOf(deviceId), ["acls"] = new JsonArray([.. DeviceAcls(deviceId)]) });
        }
        var file = new JsonObject
        {
            ["defaultACLAccess"] = new JsonObject { ["publishClientSend"] = false, ["publishClientReceive"] = true, ["subscribe"] = false, ["unsubscribe"] = true },
            ["clients"] = clients,
            ["groups"] = new JsonArray(),
            ["roles"] = roles,
        };
        return file.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Client(string username, string password, string role)
    {
        // The plugin's own format: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, both base64 (as `mosquitto_ctrl dynsec init` writes it).
        var salt = RandomNumberGenerator.GetBytes(12);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, 101, HashAlgorithmName.SHA512, 64);
        return new JsonObject
        {
            ["username"] = username,
            ["password"] = Convert.ToBase64String(hash),
            ["salt"] = Convert.ToBase64String(salt),
            ["iterations"] = 101,
            ["roles"] = new JsonArray { new JsonObject { ["rolename"] = role } },
        };
    }

    private static string RoleOf(string deviceId) => "device:" + deviceId;

    private static IEnumerable<JsonObject> DeviceAcls(string deviceId) =>
    [
        new() { ["acltype"] = "subscribeLiteral", ["topic"] = GatewayTopics.Command(deviceId), ["allow"] = true },
        new() { ["acltype"] = "subscribeLiteral", ["topic"] = GatewayTopics.Offline(deviceId), ["allow"] = true },
        new() { ["acltype"] = "publishClientSend", ["topic"] = GatewayTopics.Reply(deviceId), ["allow"] = true },
    ];

    private static MqttClientOptions BackendLogin(int port, string password) =>
        new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(GatewayDeviceCredentials.BackendUser)
            .WithCredentials(GatewayDeviceCredentials.BackendUser, password).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30)).WithTimeout(TimeSpan.FromSeconds(2)).Build();
}
