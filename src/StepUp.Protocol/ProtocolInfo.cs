using System;

namespace StepUp.Protocol
{
    /// <summary>Names and limits shared by every client and the director.</summary>
    public static class ProtocolInfo
    {
        /// <summary>Bumped on every incompatible change of a message.</summary>
        public const int Version = 1;

        public const string EnvDirectorDir = "STEPUP_DIRECTOR_DIR";
        public const string EnvDirectorSocket = "STEPUP_DIRECTOR_SOCKET";
        public const string EnvRoot = "STEPUP_ROOT";
        public const string EnvStepKey = "STEPUP_STEP_KEY";
        public const string EnvStepToken = "STEPUP_STEP_TOKEN";
        /// <summary>"slurm" in a step that runs as a Slurm job, where the step API cannot reach the director.</summary>
        public const string EnvExecutor = "STEPUP_EXECUTOR";

        /// <summary>The largest request frame the director reads: every request but the items.</summary>
        public const int MaxRequestBytes = 1024 * 1024;

        /// <summary>The largest items frame, read only after a valid build request that announced it.</summary>
        public const int MaxItemsBytes = 512 * 1024 * 1024;

        /// <summary>The largest event or answer a client reads (a page may hold a step's whole output).</summary>
        public const int MaxAnswerBytes = 512 * 1024 * 1024;

        /// <summary>How deep JSON may nest in any frame; the deepest message needs 3.</summary>
        public const int MaxJsonDepth = 8;

        /// <summary>How long the director waits for the request of a new connection before closing it.</summary>
        public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

        /// <summary>How long the director waits for the next bytes of an announced items frame.</summary>
        public static readonly TimeSpan ItemsStallTimeout = TimeSpan.FromSeconds(30);
    }
}
