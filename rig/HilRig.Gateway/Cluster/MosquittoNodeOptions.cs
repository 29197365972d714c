namespace HilRig.Gateway.Cluster;

/// <summary>
/// Runs access nodes on mosquitto processes the rig starts (docs/cloud.md §5.6): one per node, on a loopback
/// port it picks, with mosquitto's dynamic security plugin holding the devices' logins and topic ACLs.
/// </summary>
public sealed record MosquittoNodeOptions
{
    /// <summary>Directory for the nodes' files; each node writes its config and security file under "{WorkDirectory}/{node id}".</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The mosquitto executable; found on PATH or in /usr/sbin when null.</summary>
    public string? Binary { get; init; }

    /// <summary>mosquitto's dynamic security plugin (mosquitto_dynamic_security.so, shipped with mosquitto 2.0); looked up when null.</summary>
    public string? DynamicSecurityPlugin { get; init; }

    /// <summary>The dynamic security plugin of the installed mosquitto, or null.</summary>
    public static string? FindDynamicSecurityPlugin(string? binary = null)
    {
        const string name = "mosquitto_dynamic_security.so";
        var directories = new List<string>();
        if (binary is not null && Path.GetDirectoryName(Path.GetDirectoryName(binary)) is { } prefix)
        {
            directories.Add(Path.Combine(prefix, "lib"));
        }
        if (Directory.Exists("/usr/lib"))
        {
            directories.AddRange(Directory.GetDirectories("/usr/lib", "*-linux-gnu*"));
        }
        directories.AddRange(["/usr/lib", "/usr/local/lib", "/usr/lib/mosquitto", "/usr/local/lib/mosquitto"]);
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }
}
