using System.Security.Cryptography;
using System.Text;

namespace StepUp.Engine.Scheduling;

/// <summary>
/// The hash that decides whether a step is up to date: its command, workdir, the values of its
/// Env variables and its step variables and, per input, the path, content digest and executable bit.
/// </summary>
public static class StepHasher
{
    public static Digest Compute(StepNode step, IReadOnlyDictionary<string, string> env)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var def = step.Definition;
        Add(hash, "command", def.Command);
        Add(hash, "workdir", def.Workdir);
        // Only when not the default, so that the hashes of shell steps stay what they were.
        if (!def.Shell) Add(hash, "argv", string.Join("\0", def.Argv));
        foreach (var (name, value) in def.EnvOverrides.OrderBy(v => v.Key, StringComparer.Ordinal))
            Add(hash, "override:" + name, value);
        foreach (var name in def.EnvNames.Concat(step.AmendedEnv).Distinct().Order(StringComparer.Ordinal))
            Add(hash, "env:" + name, env.TryGetValue(name, out var value) ? "=" + value : "(unset)");
        foreach (var (name, value) in def.Variables.OrderBy(v => v.Key, StringComparer.Ordinal))
            Add(hash, "var:" + name, value);
        foreach (var input in step.Inputs.OrderBy(i => i.Path, StringComparer.Ordinal))
        {
            var stamp = input.Stamp;
            Add(hash, "inp:" + input.Path, stamp == null ? "(unknown)" : stamp.Digest.ToString() + (stamp.Executable ? "+x" : "-x"));
        }
        Span<byte> sha256 = stackalloc byte[Digest.Sha256Bytes];
        hash.GetHashAndReset(sha256);
        return Digest.FromSha256(sha256);
    }

    static void Add(IncrementalHash hash, string key, string value)
    {
        Span<byte> length = stackalloc byte[4];
        foreach (var part in new[] { key, value })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BitConverter.TryWriteBytes(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }
    }
}
