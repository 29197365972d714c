namespace HilRig.Core.Sensors;

/// <summary>A sensor could not be read; the message names where it sits and why.</summary>
public sealed class SensorException(string message, Exception? inner = null) : Exception(message, inner);
