global using Xunit;
global using HilRig.Bench.Tests.Support;
global using HilRig.Protocol.Framing;
global using HilRig.Protocol.Messages;
