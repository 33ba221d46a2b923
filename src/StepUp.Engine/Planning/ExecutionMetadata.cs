using System.Globalization;
using StepUp.Engine.Slurm;

namespace StepUp.Engine.Planning;

/// <summary>
/// Where a step asks to run and what it asks of Slurm (docs/slurm.md): its <c>Executor</c>,
/// <c>Cpus</c>, <c>Memory</c>, <c>Time</c>, <c>Gpus</c>, <c>Partition</c>, <c>Account</c> and
/// <c>SlurmOptions</c> metadata as written, only those given. They are not part of the step's hash:
/// a step makes the same outputs wherever it runs.
/// </summary>
public static class ExecutionMetadata
{
    public const string Executor = "Executor", Cpus = "Cpus", Memory = "Memory", Time = "Time", Gpus = "Gpus",
        Partition = "Partition", Account = "Account", SlurmOptions = "SlurmOptions";

    static readonly string[] Names = [Executor, Cpus, Memory, Time, Gpus, Partition, Account, SlurmOptions];

    public static IReadOnlyDictionary<string, string> None { get; } = new Dictionary<string, string>();

    /// <summary>
    /// The execution metadata of an item; <paramref name="expand"/> replaces a realization's
    /// <c>${name}</c> placeholders, so that these too may vary over a branch point.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Read(ItemSpec item, Func<string, string>? expand = null)
    {
        Dictionary<string, string>? found = null;
        foreach (var name in Names)
        {
            var value = item.Meta(name);
            if (expand != null) value = expand(value).Trim();
            if (value.Length > 0) (found ??= new Dictionary<string, string>(StringComparer.Ordinal))[name] = value;
        }
        return found ?? None;
    }

    /// <summary>The problem with the values, for an error naming the step; null when they are fine.</summary>
    public static string? Check(IReadOnlyDictionary<string, string> execution)
    {
        if (execution.Count == 0) return null;
        if (execution.TryGetValue(Executor, out var executor) && !Contract.TryParseExecutor(executor, Contract.LocalExecutor, out _))
            return $"Executor=\"{executor}\" is not {Contract.ExecutorSyntax}";
        try
        {
            Resources(execution, []).ToSbatchOptions();
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>The step's own executor, or null when it follows StepUpExecutor.</summary>
    public static string? ExecutorOf(IReadOnlyDictionary<string, string> execution) =>
        execution.TryGetValue(Executor, out var executor) && Contract.TryParseExecutor(executor, Contract.LocalExecutor, out var parsed) ? parsed : null;

    /// <summary>What the step asks of Slurm, after the build's StepUpSlurmOptions; bad values throw <see cref="ArgumentException"/>.</summary>
    public static SlurmResources Resources(IReadOnlyDictionary<string, string> execution, IReadOnlyList<string> defaults)
    {
        int? cpus = null;
        if (execution.TryGetValue(Cpus, out var cpusText))
            cpus = int.TryParse(cpusText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ArgumentException($"Cpus '{cpusText}' is not a whole number of at least 1");
        return new SlurmResources(
            cpus,
            execution.GetValueOrDefault(Memory),
            execution.GetValueOrDefault(Time),
            execution.GetValueOrDefault(Gpus),
            execution.GetValueOrDefault(Partition),
            execution.GetValueOrDefault(Account),
            execution.TryGetValue(SlurmOptions, out var options) ? SlurmResources.SplitOptions(options) : null)
        {
            Defaults = defaults,
        };
    }
}
