using System;
using System.Net;
using System.Net.Sockets;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    /// <summary>A scripted stand-in for the sidecar's UDP end, so client tests run without Python.</summary>
    internal sealed class FakeSidecar : IDisposable
    {
        readonly Socket _socket;
        readonly IPEndPoint _host;
        readonly byte[] _buffer = new byte[65536];
        public readonly string Token;

        public FakeSidecar(int hostPort, string token)
        {
            Token = token;
            _host = new IPEndPoint(IPAddress.Loopback, hostPort);
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        }

        public int Port { get { return ((IPEndPoint)_socket.LocalEndPoint).Port; } }

        public void Send(OscMessage m) { _socket.SendTo(OscWriter.Encode(m), _host); }

        public void SendRaw(byte[] datagram) { _socket.SendTo(datagram, _host); }

        public void Hello(string protocol = "1.0", byte[] capabilities = null)
        {
            Send(new OscMessage(ProtocolMessages.Hello, Token, protocol, "0.1.0", capabilities ?? TestData.Capabilities()));
        }

        /// <summary>The next message with <paramref name="address"/> (others are skipped); null on timeout.</summary>
        public OscMessage Expect(string address, int timeoutMs = 3000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            while (DateTime.UtcNow < deadline)
            {
                _socket.ReceiveTimeout = Math.Max(1, (int)(deadline - DateTime.UtcNow).TotalMilliseconds);
                EndPoint from = new IPEndPoint(IPAddress.Loopback, 0);
                int n;
                try { n = _socket.ReceiveFrom(_buffer, ref from); }
                catch (SocketException) { return null; }
                var m = ProtocolMessages.Decode(_buffer, 0, n);
                if (m.Address == address) return m;
            }
            return null;
        }

        /// <summary>Sends <paramref name="payload"/> as a riff answer in chunks of <paramref name="chunkSize"/>, skipping chunk <paramref name="skip"/>.</summary>
        public void Answer(int requestId, byte[] payload, int chunkSize, int skip = -1)
        {
            var count = Math.Max(1, (payload.Length + chunkSize - 1) / chunkSize);
            for (var k = count - 1; k >= 0; k--) // reverse order on purpose
            {
                if (k == skip) continue;
                var n = Math.Min(chunkSize, payload.Length - k * chunkSize);
                var chunk = new byte[n];
                Buffer.BlockCopy(payload, k * chunkSize, chunk, 0, n);
                Send(new OscMessage(ProtocolMessages.RiffChunk, Token, requestId, k, count, chunk));
            }
        }

        public void Dispose() { _socket.Close(); }
    }
}
