namespace HilRig.Core.Wiring;

/// <summary>Who plays the comm module at the head of the chain (<c>module: { kind: ... }</c>).</summary>
public enum ModuleKind
{
    /// <summary>The device's own WiFi module (emulated on a virtual bench, the real ESP module on boards).</summary>
    Device,

    /// <summary>
    /// No module is wired: the rig itself speaks the module's chain side of docs/protocol.md on the first link,
    /// so a firmware team can test its MCU chain alone (hardware benches).
    /// </summary>
    Rig,
}
