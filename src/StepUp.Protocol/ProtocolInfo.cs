namespace StepUp.Protocol
{
    /// <summary>Names shared by every client and the director.</summary>
    public static class ProtocolInfo
    {
        /// <summary>Bumped on every incompatible change of a message.</summary>
        public const int Version = 1;

        public const string EnvDirectorDir = "STEPUP_DIRECTOR_DIR";
        public const string EnvDirectorSocket = "STEPUP_DIRECTOR_SOCKET";
        public const string EnvRoot = "STEPUP_ROOT";
        public const string EnvStepKey = "STEPUP_STEP_KEY";
        public const string EnvStepToken = "STEPUP_STEP_TOKEN";
    }
}
