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

        // The items are suspicious, but the plan is valid.
        public const string UnknownMetadata = "STEPUP0020";
        public const string VariableTooLong = "STEPUP0021";

        // A step could not run or failed.
        public const string StepFailed = "STEPUP0101";
        public const string OutputsNotCreated = "STEPUP0102";
        public const string InputChanged = "STEPUP0103";
        public const string MissingInput = "STEPUP0104";
        public const string Cancelled = "STEPUP0105";
        public const string StepError = "STEPUP0106";
        public const string AmendRefused = "STEPUP0120";
        public const string StepCallRefused = "STEPUP0121";

        // Warnings.
        public const string EditedOutputKept = "STEPUP0201";
        public const string TargetNotProduced = "STEPUP0203";
        public const string KeptBehindLink = "STEPUP0204";
        public const string GraphRebuilt = "STEPUP0205";
        public const string DirectorNotStopped = "STEPUP0220";

        // The director and the way to it.
        public const string DirectorUnavailable = "STEPUP0301";
        public const string DirectorLost = "STEPUP0302";
        public const string ProtocolMismatch = "STEPUP0303";
        public const string DirectorInternal = "STEPUP0305";
        public const string StateFolderUnusable = "STEPUP0306";
        public const string MalformedRequest = "STEPUP0310";
        public const string EndpointRefused = "STEPUP0311";
        public const string UnsupportedPlatform = "STEPUP0312";
        public const string FailedWithoutError = "STEPUP0313";
        public const string TaskInternal = "STEPUP0314";
        public const string MalformedAnswer = "STEPUP0315";

        // HyperWorkflows: the plan is invalid, nothing runs.
        public const string BadValue = "STEPUP0401";
        public const string EmptyValue = "STEPUP0402";
        public const string DuplicateEntry = "STEPUP0403";
        public const string DuplicateGlobal = "STEPUP0404";
        public const string UnknownStep = "STEPUP0405";
        public const string UnknownEntry = "STEPUP0406";
        public const string UnknownGlobal = "STEPUP0407";
        public const string UnknownBranchPoint = "STEPUP0408";
        public const string UnknownBranch = "STEPUP0409";
        public const string InconsistentBranchPoint = "STEPUP0410";
        public const string GraftNotInSource = "STEPUP0411";
        public const string NoRealization = "STEPUP0412";
        public const string VaryingOutput = "STEPUP0413";
        public const string ParamRefersToOutput = "STEPUP0414";
        public const string BadSequence = "STEPUP0415";
        public const string BadBranchName = "STEPUP0416";
        public const string DuplicateBranch = "STEPUP0417";
        public const string ReferenceCycle = "STEPUP0418";
        public const string PlanReachesNothing = "STEPUP0419";
        public const string PlanUnknownStep = "STEPUP0420";
        public const string PlanUnknownBranchPoint = "STEPUP0421";
        public const string PlanUnknownBranch = "STEPUP0422";
        public const string UnknownPlan = "STEPUP0423";
        public const string BadPlan = "STEPUP0424";
        public const string MissingConfig = "STEPUP0425";
        public const string InputRefersToParam = "STEPUP0426";
        public const string BadHyperStepName = "STEPUP0427";
        public const string UnnamedValue = "STEPUP0428";
        public const string BadGlobal = "STEPUP0429";
        public const string SelectionMatchesNothing = "STEPUP0430";
        public const string BadSelection = "STEPUP0431";

        // StepUp 4's API and watch mode.
        public const string GlobMatchNotStatic = "STEPUP0620";
        public const string WatchUnavailable = "STEPUP0621";
        public const string WatchProjectChanged = "STEPUP0622";

        // Slurm: running steps as jobs on a cluster (docs/slurm.md).
        public const string SlurmUnavailable = "STEPUP0501";
        public const string SlurmRefused = "STEPUP0502";
        public const string SlurmEndedJob = "STEPUP0503";
        public const string SlurmQueueUnreadable = "STEPUP0504";
        public const string BadSlurmMetadata = "STEPUP0505";
        public const string ClientInSlurmJob = "STEPUP0506";

        // 0601-0619: the call protocol and StepUp's command line.
        public const string BadCall = "STEPUP0601";

        // 0700-0709: StepUp Core's example suite (conformance).
        public const string InvalidTarget = "STEPUP0700";

        // 0710-0719: StepUp Core's example suite (conformance, continued).
        public const string StaticBecameFolder = "STEPUP0710";
    }
}
