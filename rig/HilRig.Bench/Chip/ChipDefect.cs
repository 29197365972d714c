namespace HilRig.Bench.Chip;

/// <summary>
/// Firmware defects the emulated chip can be started with, so the scenario catalogue can prove it
/// catches them. Names on the command line are the kebab-case forms (e.g. pass-through-drops-frames).
/// </summary>
[Flags]
public enum ChipDefect
{
    /// <summary>The reference behaviour.</summary>
    None = 0,
    /// <summary>In pass-through mode every fifth forwarded frame is silently dropped.</summary>
    PassThroughDropsFrames = 1,
    /// <summary>
    /// On START (target or not) the chip answers START_ACK and forwards START before writing the memory
    /// mark, and on a received COMPLETE it floods it before writing INITIAL: it acts before persisting.
    /// </summary>
    MarkAfterActing = 2,
    /// <summary>A target resuming its own transfer answers START_ACK with offset 0 and restarts from 0.</summary>
    ResumeFromZero = 4,
    /// <summary>Entering SLEEP does not write the mark: the chip sleeps until power loss, then boots in the previous mode.</summary>
    SleepNotPersisted = 8,
    /// <summary>The image is activated (slot flip, DONE, COMPLETE ACTIVATED) when its last byte is persisted, with no digest check.</summary>
    ActivateBeforeDigestCheck = 16,
    /// <summary>The memory mark is always written to slot 0, so a cut inside a mark write leaves no valid record.</summary>
    SingleSlotMark = 32,
    /// <summary>
    /// A chip whose memory mark says SLEEP when it boots dies there (a fault in its sleep-resume path): it stops
    /// without a word and draws no current, so after a power cut while asleep it is silent like a sleeping chip but dead.
    /// </summary>
    DiesBootingAsleep = 64,
    /// <summary>
    /// In INITIAL and PASS_THROUGH the chip passes on bytes it could not decode as a frame (a bad CRC, another protocol
    /// version) instead of dropping them (breaks docs/protocol.md §3.3).
    /// </summary>
    ForwardsCorruptFrames = 128,
    /// <summary>The chip acts on frames addressed to another chip as if they were its own, and forwards them too (breaks §4).</summary>
    ActsOnOthersFrames = 256,
    /// <summary>A target in UPGRADE keeps forwarding frames for other chips (breaks §6.3: the target forwards nothing).</summary>
    UpgradeForwardsFrames = 512,
    /// <summary>STATUS_REQ is answered only after 120 ms, past the 50 ms of §7.6 (a chip that services it after other work).</summary>
    SlowStatus = 1024,
    /// <summary>A sleeping chip answers STATUS_REQ (breaks §6.4: SLEEP ignores everything but COMPLETE).</summary>
    SleepAnswersStatus = 2048,
    /// <summary>The target acknowledges only every other DATA (breaks §7.3: exactly one DATA_ACK per DATA); cumulative acknowledgements hide it from a whole upgrade.</summary>
    AcksEveryOtherData = 4096,
    /// <summary>The chip's own frames carry LEN and its complement big-endian (breaks §3.1: every field little-endian); its CRC is computed over what it sends.</summary>
    FrameLengthBigEndian = 8192,
    /// <summary>STATUS_REQ is answered on the upstream port whatever port it came in on (breaks §4: answer on the arrival port).</summary>
    AnswersUpstream = 16384,
    /// <summary>A START whose payload does not decode is answered START_ACK BAD_HEADER instead of being ignored (breaks §5, §6.1).</summary>
    AnswersUndecodablePayloads = 32768,
    /// <summary>PREPARE is answered READY at once for the chip alone; the chips below are never asked (breaks §7.1: aggregation).</summary>
    PrepareAnswersAlone = 65536,
    /// <summary>A refusal in a PREPARE_ACK from below is dropped: the aggregated answer says READY (breaks §7.1: the first refusal wins).</summary>
    PrepareHidesRefusal = 131072,
    /// <summary>A START for an image this chip already activated in the campaign starts the transfer over instead of answering ALREADY_UPGRADED (breaks §6.2 step 2).</summary>
    RestartsFinishedTransfer = 262144,
    /// <summary>A received COMPLETE is acted on but not passed on to the chip's other ports (breaks §6.5: COMPLETE is flooded).</summary>
    CompleteNotFlooded = 524288,
    /// <summary>
    /// In UPGRADE, STATUS reports the version of the image being received as the running one (breaks §7.6, §10.3: STATUS describes the image
    /// that would boot; a server trusting it after a cut would never retry, while the chip boots the old image).
    /// </summary>
    StatusReportsPendingVersion = 1048576,
    /// <summary>
    /// START is answered at once for the chip alone and passed on unchanged, as protocol 1.0 did: the START_ACKs of the chips
    /// below are not collected into its answer, and as a target it drops them (breaks §7.2: every chip's answer reaches the module).
    /// </summary>
    StartDropsBelowAnswers = 2097152,
    /// <summary>
    /// Under selective acknowledgement every third frame kept beyond the gap is reported held but never written (breaks §7.3.1: a
    /// set bit means the bytes are in flash); the module never sends it again and the image fails its digest.
    /// </summary>
    SelectiveAckClaimsUnwrittenFrames = 4194304,
}

/// <summary>Parses defect names.</summary>
public static class ChipDefects
{
    /// <summary>The kebab-case name of each defect.</summary>
    public static IReadOnlyDictionary<string, ChipDefect> ByName => DefectNames<ChipDefect>.ByName;

    /// <summary>Parses names into flags; returns the unknown name's message on failure.</summary>
    public static ChipDefect Parse(IEnumerable<string> names, out string? error) => DefectNames<ChipDefect>.Parse(names, "chip defect", out error);
}
