global using Xunit;
global using HilRig.Scenarios.Support;
