using System.Net;
using System.Net.Sockets;

namespace MlOps.Ci.Core.Tests.Support;

public static class Ports
{
    /// <summary>A loopback port nothing listens on right now (the kernel's pick; another process could take it later).</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
