using System.Buffers;
using System.Text;
using System.Text.Json;
using StepUp.Engine.Graph;

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
        LocationName = "loc", VariablesName = "var", RealizationName = "rz", LeftOutName = "lo";

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
        if (d.Realization != null) w.WriteString(RealizationName, d.Realization);
        if (d.LeftOut) w.WriteBoolean(LeftOutName, true);
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
            Variables = ReadVariables(o),
            Realization = o.TryGetProperty(RealizationName, out var realization) ? realization.GetString() : null,
            LeftOut = o.TryGetProperty(LeftOutName, out var leftOut) && leftOut.GetBoolean(),
            Location = o.TryGetProperty(LocationName, out var loc)
                ? new SourceLocation(intern(loc[0].GetString()!), loc[1].GetInt32(), loc[2].GetInt32())
                : SourceLocation.None,
        };
    }

    /// <summary>The step's link lists where they differ from its definition; null when none does.</summary>
    public static string? EncodeLinks(StepNode step)
    {
        var d = step.Definition;
        var sameInputs = SamePaths(step.Inputs, d.Inputs);
        var sameOutputs = SamePaths(step.Outputs, d.Outputs);
        var sameVolatiles = SamePaths(step.Volatiles, d.Volatiles);
        if (sameInputs && sameOutputs && sameVolatiles && step.AmendedEnv.Count == 0) return null;
        var w = StartWriter(out var buffer);
        w.WriteStartObject();
        if (!sameInputs) WritePaths(w, InputsName, step.Inputs);
        if (!sameOutputs) WritePaths(w, OutputsName, step.Outputs);
        if (!sameVolatiles) WritePaths(w, VolatilesName, step.Volatiles);
        WriteList(w, EnvName, step.AmendedEnv);
        w.WriteEndObject();
        return Finish(w, buffer);
    }

    /// <summary>
    /// The paths of the step's inputs, outputs and volatiles (from the links column or the definition)
    /// and the environment variables it amended.
    /// </summary>
    public static (IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> Volatiles, IReadOnlyList<string> AmendedEnv)
        DecodeLinks(StepDefinition d, string? json)
    {
        if (json == null) return (d.Inputs, d.Outputs, d.Volatiles, Array.Empty<string>());
        using var doc = JsonDocument.Parse(json);
        var o = doc.RootElement;
        return (
            o.TryGetProperty(InputsName, out _) ? ReadList(o, InputsName) : d.Inputs,
            o.TryGetProperty(OutputsName, out _) ? ReadList(o, OutputsName) : d.Outputs,
            o.TryGetProperty(VolatilesName, out _) ? ReadList(o, VolatilesName) : d.Volatiles,
            ReadList(o, EnvName));
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

    static IReadOnlyDictionary<string, string> ReadVariables(JsonElement o)
    {
        if (!o.TryGetProperty(VariablesName, out var v)) return NoVariables;
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
