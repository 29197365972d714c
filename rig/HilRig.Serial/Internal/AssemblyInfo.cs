using System.Runtime.CompilerServices;

// HilRig.Core makes the virtual bench's ptys and wires with the same libc calls (Internal/PosixPty.cs).
[assembly: InternalsVisibleTo("HilRig.Core")]
