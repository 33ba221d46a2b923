using System.Text.RegularExpressions;

namespace StepUp.Engine.Slurm;

/// <summary>
/// What a job asks of Slurm, as a user writes it in metadata, and its sbatch options. Null means
/// "not asked": the cluster's default applies. <see cref="Options"/> are passed to sbatch verbatim,
/// after the others, so that they can override them.
/// </summary>
public sealed record SlurmResources(
    int? Cpus = null,
    string? Memory = null,
    string? Time = null,
    string? Gpus = null,
    string? Partition = null,
    string? Account = null,
    IReadOnlyList<string>? Options = null)
{
    static readonly Regex MemoryPattern = new(@"^(\d+)\s*([KMGT])?B?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    // Slurm's time formats: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
    static readonly Regex TimePattern = new(@"^(\d+|\d+:\d+|\d+:\d+:\d+|\d+-\d+|\d+-\d+:\d+|\d+-\d+:\d+:\d+)$", RegexOptions.CultureInvariant);
    static readonly Regex GpusPattern = new(@"^([A-Za-z0-9_.\-]+:)?[1-9]\d*$", RegexOptions.CultureInvariant);
    static readonly Regex NamePattern = new(@"^[A-Za-z0-9_.\-]+$", RegexOptions.CultureInvariant);

    /// <summary>Options passed before all others: the build's defaults (StepUpSlurmOptions), which the rest may override.</summary>
    public IReadOnlyList<string> Defaults { get; init; } = [];

    /// <summary>The sbatch options for these resources; bad values throw <see cref="ArgumentException"/> naming them.</summary>
    public IReadOnlyList<string> ToSbatchOptions()
    {
        var options = new List<string>(Defaults);
        if (Cpus is { } cpus)
        {
            if (cpus < 1) throw new ArgumentException($"Cpus must be a whole number of at least 1, not {cpus}");
            options.Add($"--cpus-per-task={cpus}");
        }
        if (Memory is { } memory) options.Add("--mem=" + NormalizeMemory(memory));
        if (Time is { } time)
        {
            if (!TimePattern.IsMatch(time.Trim()))
                throw new ArgumentException($"Time '{time}' is not a Slurm time: use minutes, MM:SS, HH:MM:SS or D-HH:MM:SS");
            options.Add("--time=" + time.Trim());
        }
        if (Gpus is { } gpus)
        {
            if (!GpusPattern.IsMatch(gpus.Trim()))
                throw new ArgumentException($"Gpus '{gpus}' is not a GPU count: use a number, or type:number (a100:2)");
            options.Add("--gpus=" + gpus.Trim());
        }
        if (Partition is { } partition) options.Add("--partition=" + Name("Partition", partition));
        if (Account is { } account) options.Add("--account=" + Name("Account", account));
        if (Options is { } verbatim) options.AddRange(verbatim);
        return options;
    }

    /// <summary>Memory as sbatch takes it: a number with an optional K, M, G or T (megabytes when none).</summary>
    static string NormalizeMemory(string memory)
    {
        var match = MemoryPattern.Match(memory.Trim());
        if (!match.Success)
            throw new ArgumentException($"Memory '{memory}' is not an amount of memory: use a number with K, M, G or T (500M, 4G)");
        return match.Groups[1].Value + match.Groups[2].Value.ToUpperInvariant();
    }

    static string Name(string what, string value)
    {
        var trimmed = value.Trim();
        if (!NamePattern.IsMatch(trimmed)) throw new ArgumentException($"{what} '{value}' is not a Slurm {what.ToLowerInvariant()} name");
        return trimmed;
    }

    /// <summary>
    /// Splits verbatim option text (<c>SlurmOptions</c> metadata) into words as a shell would: on
    /// whitespace, with single and double quotes keeping spaces; no variables or globs are expanded.
    /// </summary>
    public static IReadOnlyList<string> SplitOptions(string text) =>
        Contract.SplitOptions(text, out var error) ?? throw new ArgumentException($"Slurm options '{text}' have {error}");
}
