using StepUp.Protocol;

namespace StepUp.Engine.StepApi;

/// <summary>
/// Reads step-API requests from today's dictionary messages into <see cref="StepCommand"/>s and
/// writes <see cref="StepReply"/>s back. The only code that knows that form: a typed protocol
/// replaces this file and nothing else.
/// </summary>
static class WireFormat
{
    /// <summary>The command a request asks for, or an <see cref="ErrorReply"/> for an unknown call.</summary>
    public static (StepCommand? Command, ErrorReply? Refusal) ReadCommand(Dictionary<string, object?> request)
    {
        var cwd = request.Str("cwd") ?? "";
        StepCommand? command = (request.Str("type") ?? "") switch
        {
            "api.step" => new DefineStep(cwd, request.Str("name") ?? "", request.Str("command") ?? "", request.Bool("planning"), Fields(request)),
            "api.script" => new DefineScript(cwd, request.Str("executable") ?? "", request.Str("stepInfo") ?? "", Fields(request)),
            "api.static" => new DeclareStatic(cwd, request.Strings("paths")),
            "api.amend" => new AmendStep(cwd, request.Strings("inp"), request.Strings("out"), request.Strings("vol"), request.Strings("env"),
                request.Bool("implicitStatic")),
            "api.info" => new ReadInfo(),
            "api.graph" => new WriteGraph(cwd, request.Str("prefix") ?? "graph"),
            _ => null,
        };
        return command != null ? (command, null) : (null, new ErrorReply($"unknown call '{request.Str("type") ?? ""}'"));
    }

    static StepFields Fields(Dictionary<string, object?> request) => new(
        request.Str("workdir") ?? "", request.Strings("inp"), request.Strings("out"), request.Strings("vol"), request.Strings("env"),
        request.Bool("optional"), request.Str("resources") ?? "");

    public static Dictionary<string, object?> WriteReply(StepReply reply) => reply switch
    {
        StepInfoReply info => new()
        {
            ["type"] = "ok",
            ["key"] = info.Key,
            ["label"] = info.Label,
            ["command"] = info.Command,
            ["workdir"] = info.Workdir,
            ["inp"] = List(info.Inp),
            ["out"] = List(info.Out),
            ["vol"] = List(info.Vol),
            ["env"] = List(info.Env),
        },
        StaticReply declared => new() { ["type"] = "ok", ["paths"] = List(declared.Paths) },
        AmendReply amended => new() { ["type"] = "ok", ["carryOn"] = amended.CarryOn },
        GraphReply graph => new() { ["type"] = "ok", ["files"] = List(graph.Files) },
        ErrorReply error => new() { ["type"] = "error", ["message"] = error.Message },
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, "not a step-API reply"),
    };

    static List<object?> List(IReadOnlyList<string> items) => items.Select(i => (object?)i).ToList();
}
