using System.Buffers;
using System.Text;
using System.Text.Json;
using StepUp.Engine.Scheduling;

namespace StepUp.Engine.Storage;

/// <summary>
/// Compact JSON for the step columns of graph.db: the definition (without its key, which has its own
/// column) and the step's actual link lists, the latter only where they differ from the definition.
/// Defaults are left out and names are one to three letters, so a typical step takes a few hundred bytes.
/// </summary>
static class StepCodec
{
    // Property names of the definition object.
    const string LabelName = "l", CommandName = "c", WorkdirName = "w", InputsName = "i", OutputsName = "o",
        VolatilesName = "v", EnvName = "e", OptionalName = "opt", PlanningName = "pln", ResourcesName = "r",
        LocationName = "loc", VariablesName = "var", RealizationName = "rz", LeftOutName = "lo",
        ArgvName = "argv", EnvOverridesName = "eo", DurationName = "d",
        GlobsName = "g", PatternName = "p", SubsName = "s", MatchesName = "m",
        ExecutionName = "x", SlurmJobName = "j";

    // In the links object: the duration of the step's latest run, in milliseconds.
    const string LastDurationName = "t";

    [ThreadStatic] static ArrayBufferWriter<byte>? t_buffer;

    static Utf8JsonWriter StartWriter(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
    }

    static string Finish(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        writer.Flush();
        writer.Dispose();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string EncodeDefinition(StepDefinition d)
    {
        var w = StartWriter(out var buffer);
        w.WriteStartObject();
        if (d.Label != d.Key) w.WriteString(LabelName, d.Label);
        w.WriteString(CommandName, d.Command);
        if (d.Workdir != ".") w.WriteString(WorkdirName, d.Workdir);
        WriteList(w, InputsName, d.Inputs);
        WriteList(w, OutputsName, d.Outputs);
        WriteList(w, VolatilesName, d.Volatiles);
        WriteList(w, EnvName, d.EnvNames);
        if (d.Optional) w.WriteBoolean(OptionalName, true);
        if (d.Planning) w.WriteBoolean(PlanningName, true);
        if (d.Resources.Count > 0)
        {
            w.WriteStartObject(ResourcesName);
            foreach (var (name, units) in d.Resources) w.WriteNumber(name, units);
            w.WriteEndObject();
        }
        if (d.Variables.Count > 0)
        {
            w.WriteStartObject(VariablesName);
            foreach (var (name, value) in d.Variables.OrderBy(v => v.Key, StringComparer.Ordinal)) w.WriteString(name, value);
            w.WriteEndObject();
        }
        if (d.Execution.Count > 0)
        {
            w.WriteStartObject(ExecutionName);
            foreach (var (name, value) in d.Execution.OrderBy(v => v.Key, StringComparer.Ordinal)) w.WriteString(name, value);
            w.WriteEndObject();
        }
        if (d.Realization != null) w.WriteString(RealizationName, d.Realization);
        if (d.LeftOut) w.WriteBoolean(LeftOutName, true);
        // Argv is present exactly when the step runs without a shell.
        if (!d.Shell)
        {
            w.WriteStartArray(ArgvName);
            foreach (var word in d.Argv) w.WriteStringValue(word);
            w.WriteEndArray();
        }
        if (d.EnvOverrides.Count > 0)
        {
            w.WriteStartObject(EnvOverridesName);
            foreach (var (name, value) in d.EnvOverrides.OrderBy(v => v.Key, StringComparer.Ordinal)) w.WriteString(name, value);
            w.WriteEndObject();
        }
        if (d.Duration != StepDefinition.DefaultDuration) w.WriteNumber(DurationName, d.Duration);
        var loc = d.Location;
        if (loc.File.Length > 0 || loc.Line != 0 || loc.Column != 0)
        {
            w.WriteStartArray(LocationName);
            w.WriteStringValue(loc.File);
            w.WriteNumberValue(loc.Line);
            w.WriteNumberValue(loc.Column);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        return Finish(w, buffer);
    }

    /// <param name="intern">Gives the one copy of a path (and of the file a location names) that the graph keeps.</param>
    public static StepDefinition DecodeDefinition(string key, string json, Func<string, string>? intern = null)
    {
        intern ??= static s => s;
        using var doc = JsonDocument.Parse(json);
        var o = doc.RootElement;
        return new StepDefinition
        {
            Key = key,
            Label = o.TryGetProperty(LabelName, out var label) ? label.GetString()! : key,
            Command = o.TryGetProperty(CommandName, out var command) ? command.GetString()! : "",
            Workdir = o.TryGetProperty(WorkdirName, out var workdir) ? workdir.GetString()! : ".",
            Inputs = ReadList(o, InputsName, intern),
            Outputs = ReadList(o, OutputsName, intern),
            Volatiles = ReadList(o, VolatilesName, intern),
            EnvNames = ReadList(o, EnvName),
            Optional = o.TryGetProperty(OptionalName, out var optional) && optional.GetBoolean(),
            Planning = o.TryGetProperty(PlanningName, out var planning) && planning.GetBoolean(),
            Resources = ReadResources(o),
            Variables = ReadVariables(o, VariablesName),
            Shell = !o.TryGetProperty(ArgvName, out _),
            Argv = ReadList(o, ArgvName),
            EnvOverrides = ReadVariables(o, EnvOverridesName),
            Duration = o.TryGetProperty(DurationName, out var duration) ? duration.GetDouble() : StepDefinition.DefaultDuration,
            Execution = ReadVariables(o, ExecutionName),
            Realization = o.TryGetProperty(RealizationName, out var realization) ? realization.GetString() : null,
            LeftOut = o.TryGetProperty(LeftOutName, out var leftOut) && leftOut.GetBoolean(),
            Location = o.TryGetProperty(LocationName, out var loc)
                ? new SourceLocation(intern(loc[0].GetString()!), loc[1].GetInt32(), loc[2].GetInt32())
                : SourceLocation.None,
        };
    }

    const string ReasonName = "r", BasisEnvName = "e", BasisInputsName = "i";

    /// <summary>Why the step last ran and what its last success saw (<see cref="StepBasis"/>); null when neither is known.</summary>
    public static string? EncodeBasis(StepNode step)
    {
        if (step.RunReason == null && step.SuccessBasis == null) return null;
        var w = StartWriter(out var buffer);
        w.WriteStartObject();
        if (step.RunReason != null) w.WriteString(ReasonName, step.RunReason);
        if (step.SuccessBasis is { } b)
        {
            w.WriteString(CommandName, b.Command);
            w.WriteString(WorkdirName, b.Workdir);
            w.WriteStartArray(BasisEnvName);
            foreach (var (name, value) in b.Env)
            {
                w.WriteStartArray();
                w.WriteStringValue(name);
                if (value == null) w.WriteNullValue(); else w.WriteStringValue(value);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartObject(VariablesName);
            foreach (var (name, value) in b.Variables) w.WriteString(name, value);
            w.WriteEndObject();
            w.WriteStartArray(BasisInputsName);
            foreach (var (path, digest, executable) in b.Inputs)
            {
                w.WriteStartArray();
                w.WriteStringValue(path);
                w.WriteStringValue(digest.ToString());
                w.WriteBooleanValue(executable);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        return Finish(w, buffer);
    }

    /// <param name="definition">The step's definition, whose command and workdir the basis shares when they are the same.</param>
    /// <param name="intern">Gives the one copy of a path or reason text that the graph keeps.</param>
    public static (string? Reason, StepBasis? Basis) DecodeBasis(string json, StepDefinition definition, Func<string, string>? intern = null)
    {
        intern ??= static s => s;
        using var doc = JsonDocument.Parse(json);
        var o = doc.RootElement;
        var reason = o.TryGetProperty(ReasonName, out var r) ? intern(r.GetString()!) : null;
        if (!o.TryGetProperty(CommandName, out var command)) return (reason, null);
        var commandText = command.GetString()!;
        var workdir = o.GetProperty(WorkdirName).GetString()!;
        return (reason, new StepBasis
        {
            Command = commandText == definition.Command ? definition.Command : commandText,
            Workdir = workdir == definition.Workdir ? definition.Workdir : intern(workdir),
            Env = o.GetProperty(BasisEnvName).EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString())).ToArray(),
            Variables = o.GetProperty(VariablesName).EnumerateObject().Select(v => (v.Name, v.Value.GetString()!)).ToArray(),
            Inputs = o.GetProperty(BasisInputsName).EnumerateArray()
                .Select(i => (intern(i[0].GetString()!), Digest.FromText(i[1].GetString()!), i[2].GetBoolean())).ToArray(),
        });
    }

    /// <summary>
    /// The step's link lists where they differ from its definition, and the duration of its latest
    /// run; null when none differs and it has not run.
    /// </summary>
    public static string? EncodeLinks(StepNode step)
    {
        var d = step.Definition;
        var sameInputs = SamePaths(step.Inputs, d.Inputs);
        var sameOutputs = SamePaths(step.Outputs, d.Outputs);
        var sameVolatiles = SamePaths(step.Volatiles, d.Volatiles);
        if (sameInputs && sameOutputs && sameVolatiles && step.AmendedEnv.Count == 0 && step.Globs.Count == 0 && step.LastDuration == null && step.SlurmJob == null) return null;
        var w = StartWriter(out var buffer);
        w.WriteStartObject();
        if (!sameInputs) WritePaths(w, InputsName, step.Inputs);
        if (!sameOutputs) WritePaths(w, OutputsName, step.Outputs);
        if (!sameVolatiles) WritePaths(w, VolatilesName, step.Volatiles);
        WriteList(w, EnvName, step.AmendedEnv);
        if (step.Globs.Count > 0)
        {
            w.WriteStartArray(GlobsName);
            foreach (var glob in step.Globs)
            {
                w.WriteStartObject();
                w.WriteString(PatternName, glob.Pattern);
                if (glob.Subs.Count > 0)
                {
                    w.WriteStartObject(SubsName);
                    foreach (var (name, sub) in glob.Subs) w.WriteString(name, sub);
                    w.WriteEndObject();
                }
                WriteList(w, MatchesName, glob.Matches);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (step.LastDuration is { } duration) w.WriteNumber(LastDurationName, (long)Math.Round(duration.TotalMilliseconds));
        if (step.SlurmJob != null) w.WriteString(SlurmJobName, step.SlurmJob);
        w.WriteEndObject();
        return Finish(w, buffer);
    }

    /// <summary>
    /// The paths of the step's inputs, outputs and volatiles (from the links column or the definition),
    /// the environment variables it amended, the patterns it registered, the duration of its latest run,
    /// and the Slurm job that runs it, if one did when the graph was saved.
    /// </summary>
    public static (IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> Volatiles, IReadOnlyList<string> AmendedEnv,
        IReadOnlyList<RegisteredGlob> Globs, TimeSpan? Duration, string? SlurmJob) DecodeLinks(StepDefinition d, string? json)
    {
        if (json == null) return (d.Inputs, d.Outputs, d.Volatiles, Array.Empty<string>(), Array.Empty<RegisteredGlob>(), null, null);
        using var doc = JsonDocument.Parse(json);
        var o = doc.RootElement;
        var globs = new List<RegisteredGlob>();
        if (o.TryGetProperty(GlobsName, out var array))
            foreach (var g in array.EnumerateArray())
                globs.Add(new RegisteredGlob(g.GetProperty(PatternName).GetString()!, ReadVariables(g, SubsName), ReadList(g, MatchesName)));
        return (
            o.TryGetProperty(InputsName, out _) ? ReadList(o, InputsName) : d.Inputs,
            o.TryGetProperty(OutputsName, out _) ? ReadList(o, OutputsName) : d.Outputs,
            o.TryGetProperty(VolatilesName, out _) ? ReadList(o, VolatilesName) : d.Volatiles,
            ReadList(o, EnvName),
            globs,
            o.TryGetProperty(LastDurationName, out var ms) ? TimeSpan.FromMilliseconds(ms.GetInt64()) : null,
            o.TryGetProperty(SlurmJobName, out var job) ? job.GetString() : null);
    }

    static bool SamePaths(IReadOnlyList<FileNode> files, IReadOnlyList<string> paths)
    {
        if (files.Count != paths.Count) return false;
        for (var i = 0; i < files.Count; i++)
            if (!string.Equals(files[i].Path, paths[i], StringComparison.Ordinal)) return false;
        return true;
    }

    static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0) return;
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    static void WritePaths(Utf8JsonWriter w, string name, IReadOnlyList<FileNode> files)
    {
        // Written even when empty: an empty list that differs from the definition must stay empty.
        w.WriteStartArray(name);
        foreach (var f in files) w.WriteStringValue(f.Path);
        w.WriteEndArray();
    }

    static IReadOnlyList<string> ReadList(JsonElement o, string name, Func<string, string>? intern = null)
    {
        if (!o.TryGetProperty(name, out var array) || array.GetArrayLength() == 0) return Array.Empty<string>();
        var list = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray()) list[i++] = intern == null ? item.GetString()! : intern(item.GetString()!);
        return list;
    }

    static readonly IReadOnlyDictionary<string, string> NoVariables = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    static IReadOnlyDictionary<string, string> ReadVariables(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v)) return NoVariables;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject()) variables[p.Name] = p.Value.GetString()!;
        return variables;
    }

    static IReadOnlyDictionary<string, int> ReadResources(JsonElement o)
    {
        if (!o.TryGetProperty(ResourcesName, out var r)) return StepDefinition.NoResources;
        var resources = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in r.EnumerateObject()) resources[p.Name] = p.Value.GetInt32();
        return resources;
    }
}
