using System.Security.Cryptography;
using System.Text;

namespace StepUp.Engine.Hyper;

/// <summary>
/// ducttape's canonical realization names: the non-baseline branches sorted by branch point name
/// (ordinal), each as <c>BP.branch</c>, joined by <c>+</c>; <c>Baseline.baseline</c> when none is
/// left. Dropping baselines is what lets a new branch point whose first branch is the old value keep
/// every existing name. A name longer than 250 characters is shortened to its MD5 (uppercase hex)
/// for the folder and the step's key.
/// </summary>
public static class RealizationName
{
    public const string Baseline = "Baseline.baseline";
    public const int MaxLength = 250;

    public static string Canonical(BranchMap map, BranchPointRegistry registry)
    {
        var parts = new List<string>(map.Count);
        foreach (var (bp, branch) in map.Pairs)
            if (branch != 0) parts.Add(registry.Name(bp) + "." + registry.BranchName(bp, branch));
        if (parts.Count == 0) return Baseline;
        parts.Sort(StringComparer.Ordinal);
        return string.Join("+", parts);
    }

    /// <summary>The folder name (and key suffix) for a canonical name.</summary>
    public static string Folder(string canonical) =>
        canonical.Length <= MaxLength ? canonical : Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(canonical)));

    /// <summary>
    /// The non-baseline branches a canonical name lists, or null when it names a branch point or a
    /// branch the workflow no longer has.
    /// </summary>
    public static BranchMap? Parse(string canonical, BranchPointRegistry registry)
    {
        if (canonical == Baseline) return BranchMap.Empty;
        var pairs = new List<(int, int)>();
        foreach (var part in canonical.Split('+'))
        {
            var dot = part.IndexOf('.');
            if (dot <= 0) return null;
            if (registry.Find(part[..dot]) is not { } bp) return null;
            if (registry.FindBranch(bp, part[(dot + 1)..]) is not { } branch || branch == 0) return null;
            if (pairs.Any(p => p.Item1 == bp)) return null;
            pairs.Add((bp, branch));
        }
        return BranchMap.Of(pairs);
    }
}
