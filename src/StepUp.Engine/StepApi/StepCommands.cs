namespace StepUp.Engine.StepApi;

/// <summary>
/// A call of a running step (docs/step-api.md), as the handler takes it. <see cref="Cwd"/> is the
/// caller's working folder, absolute; empty means the project root.
/// </summary>
abstract record StepCommand(string Cwd);

/// <summary>What a new step and a new script share. Workdir is relative to the caller's folder, the lists to Workdir.</summary>
sealed record StepFields(
    string Workdir, IReadOnlyList<string> Inp, IReadOnlyList<string> Out, IReadOnlyList<string> Vol, IReadOnlyList<string> Env,
    bool Optional, string Resources);

/// <summary>How StepUp 4's API runs a step: Shell false runs Argv directly; Placeholders false leaves ${inp} as it is; Duration null: the default.</summary>
sealed record StepLaunchFields(bool Shell, IReadOnlyList<string> Argv, bool Placeholders, IReadOnlyDictionary<string, string> EnvOverrides, double? Duration)
{
    public static readonly StepLaunchFields Default = new(true, [], true, new Dictionary<string, string>(), null);
}

/// <summary>api.step: defines a step; an empty name labels it by its command.</summary>
sealed record DefineStep(string Cwd, string Name, string Command, bool Planning, StepFields Fields, StepLaunchFields Launch) : StepCommand(Cwd);

/// <summary>api.script: defines the plan step of a script (the script protocol).</summary>
sealed record DefineScript(string Cwd, string Executable, string StepInfo, StepFields Fields, double? Duration) : StepCommand(Cwd);

/// <summary>A pattern as a client sends it: relative to the caller's folder, with the sub-patterns of its named wildcards.</summary>
sealed record PatternFields(string Pattern, IReadOnlyDictionary<string, string> Subs);

/// <summary>api.static: declares files static; a path ending in '/' names a folder and every file under it; patterns are registered as by api.glob.</summary>
sealed record DeclareStatic(string Cwd, IReadOnlyList<string> Paths, IReadOnlyList<PatternFields> Patterns) : StepCommand(Cwd);

/// <summary>api.glob: registers a pattern with the caller, which runs again when its matches change.</summary>
sealed record RegisterGlob(string Cwd, PatternFields Pattern) : StepCommand(Cwd);

/// <summary>api.hold (Release false) and api.release: hold back the steps the caller defines, or let them go.</summary>
sealed record HoldSteps(bool Release) : StepCommand("");

/// <summary>api.record: a command the step ran itself, kept for inspection.</summary>
sealed record RecordRun(string Cwd, string Command, int ReturnCode, string Workdir) : StepCommand(Cwd);

/// <summary>api.amend: adds to the caller's own inputs, outputs, volatile outputs and environment variables.</summary>
sealed record AmendStep(
    string Cwd, IReadOnlyList<string> Inp, IReadOnlyList<string> Out, IReadOnlyList<string> Vol, IReadOnlyList<string> Env,
    bool ImplicitStatic) : StepCommand(Cwd);

/// <summary>api.info: the caller's definition.</summary>
sealed record ReadInfo() : StepCommand("");

/// <summary>api.graph: writes graph.txt and the two .dot files at a prefix relative to the caller's folder.</summary>
sealed record WriteGraph(string Cwd, string Prefix) : StepCommand(Cwd);

/// <summary>The answer to a <see cref="StepCommand"/>.</summary>
abstract record StepReply;

/// <summary>A step's definition, its paths relative to its workdir.</summary>
sealed record StepInfoReply(
    string Key, string Label, string Command, string Workdir,
    IReadOnlyList<string> Inp, IReadOnlyList<string> Out, IReadOnlyList<string> Vol, IReadOnlyList<string> Env) : StepReply;

/// <summary>The root-relative files declared static.</summary>
sealed record StaticReply(IReadOnlyList<string> Paths) : StepReply;

/// <summary>CarryOn is false when an amended input is not built yet: the step is run again once it is.</summary>
sealed record AmendReply(bool CarryOn) : StepReply;

sealed record GraphReply(IReadOnlyList<string> Files) : StepReply;

/// <summary>The answer of a call that only registers something.</summary>
sealed record DoneReply : StepReply;

/// <summary>The call was refused; the client makes its step fail with the message. Kind: see <see cref="Protocol.ErrorReply.Kind"/>.</summary>
sealed record ErrorReply(string Message, string Kind = "") : StepReply;
