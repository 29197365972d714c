using HilRig.Protocol.Cloud;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HilRig.Servers.TargetOta;

// What steps and the admin API ask of the server (docs/cloud.md §2.6).
public sealed partial class TargetOtaServer
{
    private readonly Dictionary<string, IReadOnlyList<byte>> _productOrders = new(StringComparer.Ordinal);
    /// <summary>
    /// The last campaign id given out. A device keeps the ids of the campaigns it finished (and ignores them when sent
    /// again), across power cycles and across runs of the rig, so ids are never reused: a server numbers its campaigns
    /// from the time it started, in tenths of a second since 2026-01-01 UTC (a server started a second later starts ten
    /// higher).
    /// </summary>
    private uint _lastCampaignId = (uint)Math.Max(1, (DateTimeOffset.UtcNow - new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).TotalSeconds * 10);

    /// <summary>
    /// Publishes an image of <see cref="Images"/> for a model (checked now). For the module (model 1), every device
    /// that reported another module version, older or newer (publishing an older one rolls a release back), is sent an instruction. Throws <see cref="TargetOtaRequestException"/>
    /// (400) for a name the catalogue does not hold or an image that is not the named model and version.
    /// </summary>
    public async Task<CampaignImage> PublishFirmwareAsync(byte modelId, string? version, string? imageName, CancellationToken cancellationToken)
    {
        var (name, bytes) = Images.Resolve("image", imageName);
        var image = PublishedImage.Load(modelId, version, name, bytes);
        _firmware.Publish(image);
        _sink(Source, "ota", $"published model 0x{modelId:X2} version {image.Version}: {image.FileName}, {image.Bytes.Length} bytes, sha256 {image.Sha256}");
        if (modelId == OtaInstruction.ModuleModelId)
        {
            List<(string DeviceId, OtaInstruction Instruction)> toSend = new();
            lock (_gate)
            {
                foreach (var (deviceId, state) in _devices.Where(d => d.Value.LastReport is not null))
                {
                    var (send, decision) = DecideModule(state, deviceId);
                    _sink(Source, "ota", decision);
                    if (send is not null)
                    {
                        toSend.Add((deviceId, send));
                    }
                }
            }
            foreach (var (deviceId, instruction) in toSend)
            {
                await Broker.PublishAsync(CloudTopics.OtaInstruction(deviceId), CloudJson.Encode(instruction), cancellationToken).ConfigureAwait(false);
            }
        }
        return new CampaignImage(modelId, image.Version.ToString(), FirmwareUrl(image), image.Sha256, image.Bytes.LongLength);
    }

    /// <summary>Sets a product's chip upgrade order (model ids, first upgraded first).</summary>
    public void SetProductOrder(string product, IReadOnlyList<byte> order)
    {
        if (order.Count == 0 || order.Distinct().Count() != order.Count)
        {
            throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest,
                $"order [{string.Join(", ", order)}] for product '{product}' must name each chip once and at least one");
        }
        lock (_gate)
        {
            _productOrders[product] = order.ToList();
        }
        _sink(Source, "ota", $"product '{product}' upgrade order [{string.Join(", ", order.Select(m => $"0x{m:X2}"))}]");
    }

    /// <summary>
    /// Starts a chip campaign for a device in its prepare phase (docs/cloud.md §2.3): assigns the next campaign id and
    /// sends a <see cref="PrepareInstruction"/> to ota/{device}/prepare. The campaign itself is planned and sent when
    /// the device answers "prepared" with its chips, or ends with a server-recorded "campaign-empty" event when no
    /// chip needs upgrading. Throws <see cref="TargetOtaRequestException"/>: 404 never reported, 409 a campaign is running.
    /// </summary>
    public async Task<CampaignStarted> StartCampaignAsync(string deviceId, CancellationToken cancellationToken)
    {
        uint id;
        lock (_gate)
        {
            if (!_devices.TryGetValue(deviceId, out var state) || state.LastReport is null)
            {
                throw new TargetOtaRequestException(TargetOtaRequestException.NotFound, $"device {deviceId} has not reported to the target server");
            }
            if (state.CampaignPhase is { } phase)
            {
                throw new TargetOtaRequestException(TargetOtaRequestException.Conflict, $"campaign {state.CampaignId} is running for {deviceId} ({phase})");
            }
            id = ++_lastCampaignId;
            state.CampaignId = id;
            state.CampaignPhase = CampaignPhases.Preparing;
            state.Campaign = null;
            state.FailedChip = null;
        }
        _sink(Source, "ota", $"campaign {id} for {deviceId}: preparing");
        try
        {
            await Broker.PublishAsync(CloudTopics.OtaPrepare(deviceId), CloudJson.Encode(new PrepareInstruction(id)), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not sent: the campaign never started, so it must not block the next one.
            lock (_gate)
            {
                var state = _devices[deviceId];
                if (state.CampaignId == id && state.CampaignPhase == CampaignPhases.Preparing)
                {
                    state.CampaignPhase = null;
                }
            }
            _sink(Source, "error", $"campaign {id} for {deviceId}: prepare not sent, campaign ended");
            throw;
        }
        return new CampaignStarted(id);
    }

    /// <summary>
    /// Retries the device's latest campaign after it failed on a chip (docs/cloud.md §2.3, "Retry"): sends the same campaign
    /// instruction again, same id, order and images, with the next <see cref="CampaignInstruction.Attempt"/> and
    /// <see cref="CampaignInstruction.ResumeAt"/> the failed chip; no prepare (the module resumes from its saved state). Throws
    /// <see cref="TargetOtaRequestException"/>: 404 never reported, 409 a campaign is running or the latest did not fail on a chip.
    /// </summary>
    public async Task<CampaignStarted> RetryCampaignAsync(string deviceId, CancellationToken cancellationToken)
    {
        CampaignInstruction retry;
        lock (_gate)
        {
            if (!_devices.TryGetValue(deviceId, out var state) || state.LastReport is null)
            {
                throw new TargetOtaRequestException(TargetOtaRequestException.NotFound, $"device {deviceId} has not reported to the target server");
            }
            if (state.CampaignPhase is { } phase)
            {
                throw new TargetOtaRequestException(TargetOtaRequestException.Conflict, $"campaign {state.CampaignId} is running for {deviceId} ({phase})");
            }
            if (state.Campaign is not { } campaign || state.FailedChip is not { } failed)
            {
                throw new TargetOtaRequestException(TargetOtaRequestException.Conflict, state.CampaignId is { } id
                    ? $"campaign {id} for {deviceId} did not fail on a chip: nothing to resume (start a new campaign)"
                    : $"{deviceId} has had no campaign: nothing to retry");
            }
            retry = campaign with { Attempt = (campaign.Attempt ?? 1) + 1, ResumeAt = failed };
            state.Campaign = retry;
            state.CampaignPhase = CampaignPhases.Running;
            state.FailedChip = null;
        }
        _sink(Source, "ota", $"campaign {retry.CampaignId} for {deviceId}: attempt {retry.Attempt}, resuming at chip 0x{retry.ResumeAt:X2}");
        try
        {
            await Broker.PublishAsync(CloudTopics.OtaCampaign(deviceId), CloudJson.Encode(retry), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                var state = _devices[deviceId];
                if (state.Campaign == retry && state.CampaignPhase == CampaignPhases.Running)
                {
                    state.CampaignPhase = null;
                    state.FailedChip = retry.ResumeAt;
                }
            }
            _sink(Source, "error", $"campaign {retry.CampaignId} for {deviceId}: retry not sent");
            throw;
        }
        return new CampaignStarted(retry.CampaignId);
    }

    /// <summary>What the server knows of a device, or null when it never reported.</summary>
    public DeviceView? GetDevice(string deviceId)
    {
        lock (_gate)
        {
            return _devices.TryGetValue(deviceId, out var s)
                ? new DeviceView(deviceId, s.LastReport, s.Outstanding, s.CampaignId, s.CampaignPhase, s.Campaign, s.Chips, _events.Of(deviceId), s.FailedChip)
                : null;
        }
    }

    private void MapAdmin(WebApplication app)
    {
        app.MapPost("/admin/firmware", (RequestDelegate)(context => AnswerAsync(context, async () =>
        {
            var request = await ReadBodyAsync<PublishFirmwareRequest>(context).ConfigureAwait(false);
            return await PublishFirmwareAsync(request.ModelId, request.Version, request.Image, context.RequestAborted).ConfigureAwait(false);
        })));
        app.MapPut("/admin/products/{product}/order", (RequestDelegate)(context => AnswerAsync(context, async () =>
        {
            var request = await ReadBodyAsync<ProductOrderRequest>(context).ConfigureAwait(false);
            SetProductOrder((string)context.Request.RouteValues["product"]!, request.Order ?? throw new TargetOtaRequestException(
                TargetOtaRequestException.BadRequest, "field 'order' is missing: it takes the model ids, first upgraded first"));
            return request;
        })));
        app.MapPost("/admin/devices/{device}/campaign", (RequestDelegate)(context => AnswerAsync(context, async () =>
            await StartCampaignAsync((string)context.Request.RouteValues["device"]!, context.RequestAborted).ConfigureAwait(false))));
        app.MapPost("/admin/devices/{device}/campaign/retry", (RequestDelegate)(context => AnswerAsync(context, async () =>
            await RetryCampaignAsync((string)context.Request.RouteValues["device"]!, context.RequestAborted).ConfigureAwait(false))));
        app.MapGet("/admin/devices/{device}", (RequestDelegate)GetDeviceEndpointAsync);
    }

    private Task GetDeviceEndpointAsync(HttpContext context)
    {
        var deviceId = (string)context.Request.RouteValues["device"]!;
        var view = GetDevice(deviceId);
        return AnswerAsync(context, () => view is null
            ? throw new TargetOtaRequestException(TargetOtaRequestException.NotFound, $"device {deviceId} has not reported to the target server")
            : Task.FromResult(view));
    }

    private static async Task<T> ReadBodyAsync<T>(HttpContext context) where T : class
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return CloudJson.TryDecode<T>(buffer.ToArray(), out var error)
            ?? throw new TargetOtaRequestException(TargetOtaRequestException.BadRequest, $"body is not a {typeof(T).Name}: {error}");
    }

    private async Task AnswerAsync<T>(HttpContext context, Func<Task<T>> action) where T : class
    {
        object answer;
        try
        {
            answer = await action().ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }
        catch (TargetOtaRequestException ex)
        {
            context.Response.StatusCode = ex.StatusCode;
            Http.RequestLog.Note(context, ex.Message);
            answer = new AdminError(ex.Message);
        }
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(CloudJson.Encode(answer), context.RequestAborted).ConfigureAwait(false);
    }
}
