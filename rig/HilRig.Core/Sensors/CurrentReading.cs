namespace HilRig.Core.Sensors;

/// <summary>One reading of a current sensor.</summary>
/// <param name="BusVolts">Supply voltage on the load side.</param>
/// <param name="ShuntVolts">Voltage across the shunt (signed).</param>
/// <param name="CurrentAmps">Current through the shunt (signed).</param>
/// <param name="PowerWatts">Power the load draws.</param>
/// <param name="Overflow">The sensor's math overflowed (the OVF flag): current and power are not valid.</param>
public sealed record CurrentReading(double BusVolts, double ShuntVolts, double CurrentAmps, double PowerWatts, bool Overflow);
