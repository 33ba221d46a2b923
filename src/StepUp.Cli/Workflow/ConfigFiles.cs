using System.Globalization;

namespace StepUp.Cli.Workflow;

/// <summary>
/// StepUp's configuration files, as StepUp 4 reads them (docs/cli.md): later files override earlier
/// ones, environment variables override the files and options override both. Each subcommand has
/// its section (`[build]`, `[clean]`; `[tool.stepup.build]` in pyproject.toml). Values are TOML's
/// booleans, numbers and strings; a key that StepUp does not know in `[build]` or `[clean]`, or a
/// line that is not TOML, stops the command with `ERROR:` naming the file and line.
/// </summary>
sealed class ConfigFiles
{
    /// <summary>The keys of StepUp 4's sections; those this command line does not act on are accepted without effect.</summary>
    static readonly Dictionary<string, string[]> KnownKeys = new(StringComparer.Ordinal)
    {
        ["build"] =
        [
            "clean", "duration", "explain_rerun", "fix_epoch", "jobs", "keep_going", "defer_cap", "progress", "resources",
            "watch", "watch_first", "cgroup", "forkserver", "preload_modules", "joblog", "log_level", "perf", "sqllog", "yappi",
        ],
        ["clean"] = ["all", "commit", "safe"],
    };

    readonly Dictionary<(string Section, string Key), string> _values = new();

    public static ConfigFiles Load(string root)
    {
        var config = new ConfigFiles();
        var home = Environment.GetEnvironmentVariable("HOME");
        var files = new List<(string Path, string Prefix)> { ("/etc/stepup.toml", "") };
        if (!string.IsNullOrEmpty(home)) files.Add((Path.Combine(home, ".config", "stepup.toml"), ""));
        files.Add((Path.Combine(root, ".stepup.toml"), ""));
        files.Add((Path.Combine(root, "stepup.toml"), ""));
        files.Add((Path.Combine(root, "pyproject.toml"), "tool.stepup."));
        files.Add((Path.Combine(root, "stepup-local.toml"), ""));
        foreach (var (path, prefix) in files)
            if (File.Exists(path)) config.Read(path, prefix);
        return config;
    }

    /// <summary>The value of a setting: its environment variable (STEPUP_SECTION_KEY), else the files; null when neither sets it.</summary>
    public string? Value(string section, string key)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(("STEPUP_" + section + "_" + key).ToUpperInvariant());
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        return _values.GetValueOrDefault((section, key));
    }

    /// <summary>A boolean setting (true, 1, yes / false, 0, no), else <paramref name="unset"/>.</summary>
    public bool Flag(string section, string key, bool unset = false)
    {
        var value = Value(section, key);
        if (value == null) return unset;
        return value.ToLowerInvariant() switch
        {
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" => false,
            _ => throw new CliException($"setting '{key}' of [{section}] must be true or false, not '{value}'"),
        };
    }

    void Read(string path, string prefix)
    {
        var shown = Shown(path);
        string? section = null;
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = StripComment(raw).Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('['))
            {
                if (!line.EndsWith(']') || line.StartsWith("[["))
                {
                    if (prefix.Length > 0) { section = null; continue; }
                    throw Problem(shown, number, "a section header must look like [build]");
                }
                var name = line[1..^1].Trim();
                section = prefix.Length == 0 ? name : name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : null;
                continue;
            }
            // pyproject.toml belongs to other tools too: only StepUp's own sections are read.
            if (section == null && prefix.Length > 0) continue;
            var equals = line.IndexOf('=');
            if (equals <= 0) throw Problem(shown, number, "expected key = value");
            var key = line[..equals].Trim();
            var value = Scalar(line[(equals + 1)..].Trim()) ?? throw Problem(shown, number, $"the value of '{key}' must be a boolean, a number or a string");
            if (section == null) throw Problem(shown, number, $"setting '{key}' is outside a section: put it under [build] or [clean]");
            if (KnownKeys.TryGetValue(section, out var keys) && !keys.Contains(key))
                throw Problem(shown, number, $"unsupported key '{key}' in section [{section}]");
            _values[(section, key)] = value;
        }
    }

    /// <summary>A TOML scalar as text: a quoted string without its quotes, true/false, or a number; null for anything else.</summary>
    static string? Scalar(string text)
    {
        if (text.Length >= 2 && (text[0] == '"' && text[^1] == '"' || text[0] == '\'' && text[^1] == '\'')) return text[1..^1];
        if (text is "true" or "false") return text;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? text : null;
    }

    static string StripComment(string line)
    {
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != null) { if (c == quote) quote = null; }
            else if (c is '"' or '\'') quote = c;
            else if (c == '#') return line[..i];
        }
        return line;
    }

    static string Shown(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : "./" + relative;
    }

    static CliException Problem(string file, int line, string message) => new($"{file}:{line}: {message}");
}
