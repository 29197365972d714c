namespace HilRig.Servers.TargetOta;

/// <summary>
/// A request the target server refuses (docs/cloud.md §2.6), with the HTTP status the admin API answers for it.
/// Thrown the same by <see cref="TargetOtaServer"/> and by <see cref="TargetOtaAdminClient"/>.
/// </summary>
public sealed class TargetOtaRequestException(int statusCode, string message) : Exception(message)
{
    /// <summary>400: the request is malformed or names a bad file.</summary>
    public const int BadRequest = 400;
    /// <summary>404: the device never reported.</summary>
    public const int NotFound = 404;
    /// <summary>409: a campaign is running for the device.</summary>
    public const int Conflict = 409;
    /// <summary>422: nothing to upgrade, or the device did not report its chips.</summary>
    public const int Unprocessable = 422;

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; } = statusCode;
}
