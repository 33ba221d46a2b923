namespace StepUp
{
    /// <summary>
    /// Every STEPUP code, one line each: the task, the director and the engine report these and no
    /// others. docs/errors.md explains each (a test checks that the two lists are the same).
    /// </summary>
    public static class Codes
    {
        // The plan is invalid: nothing runs.
        public const string DuplicateStep = "STEPUP0001";
        public const string OutputClaimedTwice = "STEPUP0002";
        public const string OutputIsStatic = "STEPUP0003";
        public const string Cycle = "STEPUP0004";
        public const string MissingStatic = "STEPUP0005";
        public const string OutsideRoot = "STEPUP0006";
        public const string MissingCommand = "STEPUP0007";
        public const string BadMetadata = "STEPUP0008";
        public const string BadProperty = "STEPUP0009";
        public const string VolatileInput = "STEPUP0010";

        // A step could not run or failed.
        public const string StepFailed = "STEPUP0101";
        public const string OutputsNotCreated = "STEPUP0102";
        public const string InputChanged = "STEPUP0103";
        public const string MissingInput = "STEPUP0104";
        public const string Cancelled = "STEPUP0105";
        public const string StepError = "STEPUP0106";

        // Warnings.
        public const string EditedOutputKept = "STEPUP0201";
        public const string TargetNotProduced = "STEPUP0203";

        // The director and the way to it.
        public const string DirectorUnavailable = "STEPUP0301";
        public const string DirectorLost = "STEPUP0302";
        public const string ProtocolMismatch = "STEPUP0303";
        public const string DirectorInternal = "STEPUP0305";
        public const string MalformedRequest = "STEPUP0310";
        public const string EndpointRefused = "STEPUP0311";
        public const string UnsupportedPlatform = "STEPUP0312";
        public const string FailedWithoutError = "STEPUP0313";
        public const string TaskInternal = "STEPUP0314";
        public const string MalformedAnswer = "STEPUP0315";
    }
}
