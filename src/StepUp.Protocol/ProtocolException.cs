using System;

namespace StepUp.Protocol
{
    /// <summary>
    /// A frame that is not a message of this protocol: too long, not JSON, nested too deep, of an
    /// unknown type or with a field of the wrong type. The text says which, for a rejection or an error.
    /// </summary>
    public sealed class ProtocolException : Exception
    {
        public ProtocolException(string message, bool isVersionMismatch = false) : base(message)
        {
            IsVersionMismatch = isVersionMismatch;
        }

        /// <summary>The message is from a client of another protocol version: its other fields were not read.</summary>
        public bool IsVersionMismatch { get; }
    }
}
