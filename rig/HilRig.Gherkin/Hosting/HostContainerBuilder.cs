using System.Reflection;
using Reqnroll.BoDi;
using Reqnroll.Configuration;
using Reqnroll.Infrastructure;
using Reqnroll.Plugins;
using Reqnroll.UnitTestProvider;

namespace HilRig.Gherkin.Hosting;

/// <summary>
/// Builds Reqnroll's containers for one run with our plugin initialised from code, holding that run: no
/// <c>[assembly: RuntimePlugin]</c> discovery, no static settings, and no <c>*.ReqnrollPlugin.dll</c> picked up from
/// the current directory (plugins found that way are not loaded at all).
/// </summary>
internal sealed class HostContainerBuilder(IReqnrollHost host) : ContainerBuilder
{
    protected override void LoadPlugins(IRuntimeConfigurationProvider configurationProvider, ObjectContainer container,
        RuntimePluginEvents runtimePluginEvents, ReqnrollConfiguration reqnrollConfiguration,
        UnitTestProviderConfiguration unitTestProviderConfigration, Assembly testAssembly) =>
        new HostPlugin(host).Initialize(runtimePluginEvents, new RuntimePluginParameters(), unitTestProviderConfigration);
}
