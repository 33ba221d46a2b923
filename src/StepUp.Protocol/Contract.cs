using System;
using System.Collections.Generic;
using System.Globalization;

namespace StepUp
{
    /// <summary>
    /// What the task, the director and the engine agree on besides the messages: the defaults of the
    /// StepUp* properties and the one reading of each property's syntax. A default lives here only;
    /// an empty property means "the default".
    /// </summary>
    public static class Contract
    {
        /// <summary>StepUpJobs when empty: one job per processor of the machine that builds.</summary>
        public static int DefaultJobs => Environment.ProcessorCount;

        /// <summary>StepUpDirectorIdleTimeout when empty, in minutes.</summary>
        public const double DefaultIdleTimeoutMinutes = 10;

        /// <summary>The longest idle timeout a build may ask for (a year): TimeSpan cannot hold every double.</summary>
        public const double MaxIdleTimeoutMinutes = 525600;

        /// <summary>StepUpGraphPrefix when empty, and the prefix of api.graph without one.</summary>
        public const string DefaultGraphPrefix = "graph";

        /// <summary>How often a long build says how far it is, in seconds (hidden _StepUpProgressSeconds, for tests).</summary>
        public const double DefaultProgressSeconds = 5;

        /// <summary>After how long, and then how often, a step is reported as still running, in seconds (hidden _StepUpHeartbeatSeconds).</summary>
        public const double DefaultHeartbeatSeconds = 60;

        /// <summary>A hidden interval property: a positive number of seconds, else the default.</summary>
        public static double ParseSeconds(string value, double fallback) =>
            double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 1e6
                ? seconds : fallback;

        /// <summary>How often a step may be deferred for amended inputs (since it last succeeded) before it fails, unless a build says otherwise.</summary>
        public const int DeferCap = 100;

        /// <summary>How long the director keeps a project's graph in memory after its last request.</summary>
        public static readonly TimeSpan SessionKeepAlive = TimeSpan.FromMinutes(2);

        /// <summary>
        /// The metadata StepUp reads, by item type: the one list to extend when StepUp reads a new name.
        /// Any other metadata written on such an item is reported (STEPUP0020) with the closest of these.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, string[]> ItemMetadata = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["Step"] = new[]
            {
                "Command", "Inp", "Out", "Vol", "Workdir", "Env", "Optional", "Planning", "Resources", "Params", "Placeholders", "Shell",
                "Executor", "Cpus", "Memory", "Time", "Gpus", "Partition", "Account", "SlurmOptions",
            },
            ["Script"] = new[] { "Inp", "Out", "Vol", "Workdir", "Env", "Optional", "Resources", "StepInfo" },
            ["Static"] = new string[0],
            ["Global"] = new[] { "Value" },
            ["Plan"] = new[] { "Reach", "Via" },
            ["Call"] = new[] { "Function", "Args", "Inp", "Out", "Vol", "Workdir", "Env", "Optional", "Resources" },
        };

        public const string JobsSyntax = "a whole number of at least 1";
        public const string IdleTimeoutSyntax = "a number of minutes from 0 to 525600 (a year)";
        public const string ResourcesSyntax = "name[:units] pairs separated by ';' or ',', such as gpu:1;transform:2 (a name alone is one unit)";

        /// <summary>StepUpJobs: empty for <see cref="DefaultJobs"/>.</summary>
        public static bool TryParseJobs(string text, out int jobs)
        {
            if (text.Trim().Length == 0)
            {
                jobs = DefaultJobs;
                return true;
            }
            return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out jobs) && jobs >= 1;
        }

        /// <summary>StepUpDirectorIdleTimeout: empty for the default; NaN, infinities and huge numbers are refused.</summary>
        public static bool TryParseIdleTimeout(string text, out double minutes)
        {
            if (text.Trim().Length == 0)
            {
                minutes = DefaultIdleTimeoutMinutes;
                return true;
            }
            return double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out minutes) && IsIdleTimeout(minutes);
        }

        /// <summary>A number of minutes the director can wait: finite, from 0 to <see cref="MaxIdleTimeoutMinutes"/>.</summary>
        public static bool IsIdleTimeout(double minutes) => minutes >= 0 && minutes <= MaxIdleTimeoutMinutes;

        /// <summary>
        /// Splits a ';'-separated list (Inp, Out, Vol, Env) as MSBuild does: on ';', trimming and dropping empty elements, then
        /// undoing each element's %XX escapes.
        /// </summary>
        public static List<string> SplitList(string list)
        {
            var elements = new List<string>();
            foreach (var raw in list.Split(';'))
            {
                var element = raw.Trim();
                if (element.Length > 0) elements.Add(Unescape(element));
            }
            return elements;
        }

        static string Unescape(string element)
        {
            if (element.IndexOf('%') < 0) return element;
            var sb = new System.Text.StringBuilder(element.Length);
            for (var i = 0; i < element.Length; i++)
            {
                if (element[i] == '%' && i + 2 < element.Length && IsHex(element[i + 1]) && IsHex(element[i + 2]))
                {
                    sb.Append((char)Convert.ToInt32(element.Substring(i + 1, 2), 16));
                    i += 2;
                }
                else
                {
                    sb.Append(element[i]);
                }
            }
            return sb.ToString();
        }

        static bool IsHex(char c) => c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';

        /// <summary>
        /// The resources syntax of StepUpResources (what is available) and of a step's Resources (what
        /// it holds while it runs): "gpu:1;mem:4", also ','-separated; a name alone means one unit.
        /// Returns the units by name, or null with <paramref name="error"/> saying which part is wrong.
        /// </summary>
        public static Dictionary<string, int>? ParseResources(string text, out string? error)
        {
            error = null;
            var result = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var raw in text.Split(',', ';'))
            {
                var part = raw.Trim();
                if (part.Length == 0) continue;
                var colon = part.IndexOf(':');
                var name = (colon < 0 ? part : part.Substring(0, colon)).Trim();
                var units = 1;
                if (name.Length == 0 || colon >= 0 &&
                    !(int.TryParse(part.Substring(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out units)))
                {
                    error = "'" + part + "' is not of the form name or name:units with a whole number of units.";
                    return null;
                }
                if (result.ContainsKey(name))
                {
                    error = "'" + name + "' is given twice.";
                    return null;
                }
                result.Add(name, units);
            }
            return result;
        }

        /// <summary>StepUpExecutor and a step's Executor: where steps run.</summary>
        public const string LocalExecutor = "local", SlurmExecutor = "slurm";

        public const string ExecutorSyntax = "local or slurm";

        /// <summary>StepUpSlurmMaxJobs when empty: at most this many of a build's jobs in Slurm's queue.</summary>
        public const int DefaultSlurmMaxJobs = 1000;

        /// <summary>StepUpExecutor or a step's Executor: empty for <paramref name="fallback"/>, else local or slurm (any case).</summary>
        public static bool TryParseExecutor(string text, string fallback, out string executor)
        {
            var trimmed = text.Trim().ToLowerInvariant();
            executor = trimmed.Length == 0 ? fallback : trimmed;
            return executor == LocalExecutor || executor == SlurmExecutor;
        }

        /// <summary>StepUpSlurmMaxJobs: empty for <see cref="DefaultSlurmMaxJobs"/>.</summary>
        public static bool TryParseSlurmMaxJobs(string text, out int maxJobs)
        {
            if (text.Trim().Length == 0)
            {
                maxJobs = DefaultSlurmMaxJobs;
                return true;
            }
            return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out maxJobs) && maxJobs >= 1;
        }

        /// <summary>
        /// Splits sbatch option text (StepUpSlurmOptions, SlurmOptions metadata) into words as a shell
        /// would: on whitespace, with single and double quotes keeping spaces; nothing is expanded.
        /// Null (and <paramref name="error"/> set) when a quote is not closed.
        /// </summary>
        public static List<string>? SplitOptions(string text, out string? error)
        {
            var words = ShellWords.Split(text, firstCommandOnly: false, out var openQuote);
            error = openQuote == '\0' ? null : "an unclosed " + openQuote + " quote";
            return error == null ? words : null;
        }
    }
}
