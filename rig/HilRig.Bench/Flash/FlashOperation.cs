namespace HilRig.Bench.Flash;

/// <summary>The two things NOR flash can be asked to do.</summary>
public enum FlashOperationKind
{
    /// <summary>A sector erase: every bit of the sector goes to 1.</summary>
    Erase,
    /// <summary>A program: bits can only go from 1 to 0.</summary>
    Program,
}

/// <summary>
/// One erase or program call on <see cref="NorFlash"/>, numbered from 1 in the order they began (the
/// numbering of a <see cref="FlashFaultPlan"/>: `--cut-at-flash-op N` cuts inside number N).
/// </summary>
public readonly record struct FlashOperation(long Number, FlashOperationKind Kind, int Address, int LengthBytes)
{
    /// <summary>`erase 0xADDR+LEN` or `program 0xADDR+LEN` (address in upper-case hex, length in decimal).</summary>
    public string Describe() => $"{(Kind == FlashOperationKind.Erase ? "erase" : "program")} 0x{Address:X}+{LengthBytes}";

    /// <summary>The `--log-flash-ops` line: `flash op #n erase 0xADDR+LEN`.</summary>
    public override string ToString() => $"flash op #{Number} {Describe()}";
}
