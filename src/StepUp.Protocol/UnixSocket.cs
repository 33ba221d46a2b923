using System;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StepUp.Protocol
{
    /// <summary>Unix domain socket end points, also where the framework lacks UnixDomainSocketEndPoint.</summary>
    public static class UnixSocket
    {
        public static EndPoint EndPointFor(string path)
        {
#if NET
            return new UnixDomainSocketEndPoint(path);
#else
            return new PathEndPoint(path);
#endif
        }

#if !NET
        sealed class PathEndPoint : EndPoint
        {
            readonly string _path;
            public PathEndPoint(string path) { _path = path; }
            public override AddressFamily AddressFamily => AddressFamily.Unix;

            public override SocketAddress Serialize()
            {
                var bytes = Encoding.UTF8.GetBytes(_path);
                var address = new SocketAddress(AddressFamily.Unix, 2 + bytes.Length + 1);
                for (var i = 0; i < bytes.Length; i++) address[2 + i] = bytes[i];
                address[2 + bytes.Length] = 0;
                return address;
            }

            public override EndPoint Create(SocketAddress socketAddress) => this;
            public override string ToString() => _path;
        }
#endif
    }
}
