using StepUp.Protocol;
using Wire = StepUp.Protocol;

namespace StepUp.Engine.StepApi;

/// <summary>
/// Turns the typed step calls of the protocol (src/StepUp.Protocol/Messages.cs) into the handler's
/// <see cref="StepCommand"/>s, and its <see cref="StepReply"/>s into the protocol's answers. Lists
/// stay lists all the way: a path holding ';' is one path.
/// </summary>
static class WireFormat
{
    /// <summary>The command a call asks for, or an <see cref="ErrorReply"/> for a call the handler does not know.</summary>
    public static (StepCommand? Command, ErrorReply? Refusal) ReadCommand(StepCall call)
    {
        var cwd = call.Cwd ?? "";
        StepCommand? command = call switch
        {
            DefineStepCall step => new DefineStep(cwd, step.Name ?? "", step.Command, step.Planning, Fields(step),
                new StepLaunchFields(step.Shell, step.Argv, step.Placeholders, step.EnvOverrides, step.Duration)),
            DefineScriptCall script => new DefineScript(cwd, script.Executable, script.StepInfo ?? "", Fields(script), script.Duration),
            DeclareStaticCall declare => new DeclareStatic(cwd, declare.Paths, declare.Patterns.Select(Pattern).ToList()),
            GlobCall glob => new RegisterGlob(cwd, Pattern(glob.Glob)),
            HoldCall hold => new HoldSteps(hold.Release),
            RecordCall record => new RecordRun(cwd, record.Command, record.ReturnCode, record.Workdir),
            AmendCall amend => new AmendStep(cwd, amend.Inp, amend.Out, amend.Vol, amend.Env, amend.ImplicitStatic),
            StepInfoCall => new ReadInfo(),
            WriteGraphCall graph => new WriteGraph(cwd, graph.Prefix),
            _ => null,
        };
        return command != null ? (command, null) : (null, new ErrorReply($"unknown call '{call.Type}'"));
    }

    static PatternFields Pattern(GlobPattern pattern) => new(pattern.Pattern, pattern.Subs);

    static StepFields Fields(DefineCall call) =>
        new(call.Workdir ?? "", call.Inp, call.Out, call.Vol, call.Env, call.Optional, call.Resources ?? "");

    public static Message WriteReply(StepReply reply) => reply switch
    {
        StepInfoReply info => new DefinitionReply
        {
            Key = info.Key, Label = info.Label, Command = info.Command, Workdir = info.Workdir,
            Inp = info.Inp.ToList(), Out = info.Out.ToList(), Vol = info.Vol.ToList(), Env = info.Env.ToList(),
        },
        StaticReply declared => new Wire.StaticReply { Paths = declared.Paths.ToList() },
        AmendReply amended => new Wire.AmendReply { CarryOn = amended.CarryOn },
        GraphReply graph => new GraphFilesReply { Files = graph.Files.ToList() },
        ErrorReply error => new Wire.ErrorReply { Text = error.Message, Kind = error.Kind },
        DoneReply => new EmptyReply(),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, "not a step-API reply"),
    };
}
