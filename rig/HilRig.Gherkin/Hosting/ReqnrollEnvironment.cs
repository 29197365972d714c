namespace HilRig.Gherkin.Hosting;

/// <summary>Process settings Reqnroll reads from the environment, set before its first call.</summary>
internal static class ReqnrollEnvironment
{
    /// <summary>
    /// No telemetry (Reqnroll sends an HTTP event when a test run starts unless told not to; the plugin also registers a
    /// checker that says no), and Reqnroll's own NDJSON/HTML formatters off whatever a user's environment says: the
    /// run's listeners write the reports.
    /// </summary>
    public static void Prepare()
    {
        Environment.SetEnvironmentVariable("REQNROLL_TELEMETRY_ENABLED", "0");
        Environment.SetEnvironmentVariable("REQNROLL_FORMATTERS_DISABLED", "true");
    }
}
