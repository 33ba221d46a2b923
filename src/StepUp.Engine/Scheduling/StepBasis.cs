namespace StepUp.Engine.Scheduling;

/// <summary>
/// What a step's last success was computed from, part by part (the <see cref="StepHasher"/> hashes
/// the same parts): so that a step that runs again can say which part changed. Kept per step in
/// graph.db; compared only when the hash differs, never on the skip path.
/// </summary>
public sealed class StepBasis
{
    public required string Command { get; init; }
    public required string Workdir { get; init; }

    /// <summary>Listed and amended environment variables with their values; null when unset.</summary>
    public required IReadOnlyList<(string Name, string? Value)> Env { get; init; }
    public required IReadOnlyList<(string Name, string Value)> Variables { get; init; }
    public required IReadOnlyList<(string Path, Digest Digest, bool Executable)> Inputs { get; init; }

    public static StepBasis Of(StepNode step, IReadOnlyDictionary<string, string> env)
    {
        var def = step.Definition;
        return new StepBasis
        {
            Command = def.Command,
            Workdir = def.Workdir,
            // Exact arrays: every step that succeeded keeps its basis for the life of the graph.
            Env = def.EnvNames.Count + step.AmendedEnv.Count == 0 ? []
                : def.EnvNames.Concat(step.AmendedEnv).Distinct().Order(StringComparer.Ordinal)
                    .Select(name => (name, env.TryGetValue(name, out var value) ? value : null)).ToArray(),
            Variables = def.Variables.Count == 0 ? [] : def.Variables.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => (v.Key, v.Value)).ToArray(),
            Inputs = step.Inputs.Count == 0 ? []
                : step.Inputs.OrderBy(i => i.Path, StringComparer.Ordinal)
                    .Select(i => (i.Path, i.Stamp?.Digest ?? Digest.None, i.Stamp?.Executable ?? false)).ToArray(),
        };
    }

    /// <summary>Each part that differs from <paramref name="now"/>, in words: old and new values, or what was added or removed.</summary>
    public IEnumerable<string> ChangesTo(StepBasis now, StepNode step)
    {
        if (Command != now.Command) yield return $"its command changed from '{Command}' to '{now.Command}'";
        if (Workdir != now.Workdir) yield return $"its workdir changed from '{Workdir}' to '{now.Workdir}'";
        var oldEnv = Env.ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        foreach (var (name, value) in now.Env)
        {
            if (!oldEnv.Remove(name, out var old)) yield return $"environment variable {name} is new to it ({Show(value)})";
            else if (old != value)
                yield return old == null ? $"environment variable {name} was set to '{value}' (it was unset)"
                    : value == null ? $"environment variable {name} was unset (it was '{old}')"
                    : $"environment variable {name} changed from '{old}' to '{value}'";
        }
        foreach (var name in oldEnv.Keys) yield return $"environment variable {name} is no longer listed";
        var oldVariables = Variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        foreach (var (name, value) in now.Variables)
        {
            if (!oldVariables.Remove(name, out var old)) yield return $"variable {name} is new ('{value}')";
            else if (old != value) yield return $"variable {name} changed from '{old}' to '{value}'";
        }
        foreach (var name in oldVariables.Keys) yield return $"variable {name} is gone";
        var oldInputs = Inputs.ToDictionary(i => i.Path, i => (i.Digest, i.Executable), StringComparer.Ordinal);
        var files = step.Inputs.ToDictionary(i => i.Path, i => i, StringComparer.Ordinal);
        foreach (var (path, digest, executable) in now.Inputs)
        {
            var kind = files.TryGetValue(path, out var file) && file.State == FileState.Static ? "static input" : "input";
            if (!oldInputs.Remove(path, out var old)) yield return $"{kind} '{path}' is new";
            else if (old.Digest != digest) yield return $"{kind} '{path}' changed content";
            else if (old.Executable != executable) yield return $"{kind} '{path}' changed mode (now {(executable ? "" : "not ")}executable)";
        }
        foreach (var path in oldInputs.Keys) yield return $"input '{path}' is no longer read";
    }

    static string Show(string? value) => value == null ? "unset" : "'" + value + "'";
}
