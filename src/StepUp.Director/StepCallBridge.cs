using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>
/// The one place where typed step calls meet the engine, which still takes and gives step calls as
/// dictionaries (IStepCallTarget). When the engine takes <see cref="StepCall"/> itself, this goes.
/// </summary>
static class StepCallBridge
{
    public static Dictionary<string, object?> ToEngine(StepCall call)
    {
        var request = new Dictionary<string, object?>(StringComparer.Ordinal) { ["type"] = call.Type };
        if (call.Cwd != null) request["cwd"] = call.Cwd;
        switch (call)
        {
            case DefineStepCall step:
                request["command"] = step.Command;
                request["name"] = step.Name;
                request["planning"] = step.Planning;
                AddDefinition(request, step);
                break;
            case DefineScriptCall script:
                request["executable"] = script.Executable;
                request["stepInfo"] = script.StepInfo;
                AddDefinition(request, script);
                break;
            case DeclareStaticCall declare:
                request["paths"] = List(declare.Paths);
                break;
            case AmendCall amend:
                request["inp"] = List(amend.Inp);
                request["out"] = List(amend.Out);
                request["vol"] = List(amend.Vol);
                request["env"] = List(amend.Env);
                request["implicitStatic"] = amend.ImplicitStatic;
                break;
            case WriteGraphCall graph:
                request["prefix"] = graph.Prefix;
                break;
        }
        return request;
    }

    /// <summary>The engine keeps a definition's lists as lists: a path containing ';' stays one path.</summary>
    static void AddDefinition(Dictionary<string, object?> request, DefineCall call)
    {
        request["workdir"] = call.Workdir;
        request["inp"] = List(call.Inp);
        request["out"] = List(call.Out);
        request["vol"] = List(call.Vol);
        request["env"] = List(call.Env);
        request["optional"] = call.Optional;
        request["resources"] = call.Resources;
    }

    static List<object?> List(List<string> values) => values.Cast<object?>().ToList();

    /// <summary>The engine's answer to <paramref name="call"/> as the message the caller reads.</summary>
    public static Message FromEngine(StepCall call, Dictionary<string, object?> reply)
    {
        if (reply.Str("type") != "ok") return new ErrorReply { Text = reply.Str("message") ?? "the director could not do the call" };
        return call switch
        {
            DeclareStaticCall => new StaticReply { Paths = reply.Strings("paths") },
            AmendCall => new AmendReply { CarryOn = reply.Bool("carryOn", true) },
            WriteGraphCall => new GraphFilesReply { Files = reply.Strings("files") },
            _ => DefinitionReply.From(key => reply.Str(key), key => reply.Strings(key)),
        };
    }
}
