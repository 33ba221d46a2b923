using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using StepUp.Protocol;

namespace StepUp.Tasks
{
    /// <summary>
    /// Sends one request (Build, Clean, Graph or Shutdown) to the director and turns its events into
    /// MSBuild messages, warnings and errors.
    /// </summary>
    public sealed class StepUpDirectorTask : Task, ICancelableTask
    {
        static readonly string[] MetadataNames = { "Command", "Inp", "Out", "Vol", "Workdir", "Env", "Optional", "Planning", "Resources", "StepInfo", "Params", "Value", "Reach", "Via" };

        readonly object _gate = new object();
        Stream? _stream;
        bool _cancelled;

        [Required] public string Action { get; set; } = "";
        [Required] public string ProjectRoot { get; set; } = "";
        [Required] public string ProjectFile { get; set; } = "";
        [Required] public string DirectorPath { get; set; } = "";
        [Required] public string SdkVersion { get; set; } = "";
        public string DotnetHostPath { get; set; } = "";

        public ITaskItem[] Steps { get; set; } = Array.Empty<ITaskItem>();
        public ITaskItem[] Statics { get; set; } = Array.Empty<ITaskItem>();
        public ITaskItem[] Scripts { get; set; } = Array.Empty<ITaskItem>();
        public ITaskItem[] Globals { get; set; } = Array.Empty<ITaskItem>();
        public ITaskItem[] Plans { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>StepUpPlan: the plans to use; empty uses every plan.</summary>
        public string PlanNames { get; set; } = "";
        public string RealizationsDir { get; set; } = "";

        /// <summary>StepUpList: plan and list the realizations with their state; run nothing.</summary>
        public bool ListOnly { get; set; }

        public string Jobs { get; set; } = "";
        public bool KeepGoing { get; set; }
        public bool Clean { get; set; } = true;
        public string Targets { get; set; } = "";
        public string Resources { get; set; } = "";
        public bool ExplainRerun { get; set; }
        public string IdleTimeout { get; set; } = "10";
        public string GraphPrefix { get; set; } = "graph";

        /// <summary>What the director reported, for the project's summary line.</summary>
        [Output] public string Summary { get; set; } = "";

        public override bool Execute()
        {
            if (!ValidateProperties()) return false;
            if (Action == "Shutdown") return Shutdown();
            string logPath = "";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                using (var stream = DirectorConnection.Connect(DirectorPath, DotnetHostPath, SdkVersion, out logPath))
                {
                    lock (_gate) _stream = stream;
                    var connected = clock.Elapsed.TotalMilliseconds;
                    var request = Request();
                    var items = Action == "Build" ? ItemsJson() : null;
                    var prepared = clock.Elapsed.TotalMilliseconds;
                    // The items go in a frame of their own: the director fingerprints their bytes and
                    // does not even parse them when they are the same as last time.
                    request["itemsFollow"] = items != null;
                    Framing.WriteMessage(stream, request);
                    if (items != null) Framing.WriteRawFrame(stream, Encoding.UTF8.GetBytes(items));
                    var sent = clock.Elapsed.TotalMilliseconds;
                    var success = Relay(stream, logPath);
                    Log.LogMessage(MessageImportance.Low, "StepUp task: connected in {0:0.0} ms, request prepared in {1:0.0} ms, sent in {2:0.0} ms, events relayed in {3:0.0} ms",
                        connected, prepared - connected, sent - prepared, clock.Elapsed.TotalMilliseconds - sent);
                    if (!success && !Log.HasLoggedErrors)
                        Log.LogError(null, "STEPUP0106", null, ProjectFile, 0, 0, 0, 0, "The StepUp build did not succeed.");
                    return success && !Log.HasLoggedErrors;
                }
            }
            catch (DirectorUnavailableException e)
            {
                Log.LogError(null, "STEPUP0301", null, ProjectFile, 0, 0, 0, 0, "The StepUp director could not be reached or started: " + e.Message);
                return false;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException || e is System.Net.Sockets.SocketException)
            {
                if (_cancelled) return false;
                Log.LogError(null, "STEPUP0302", null, ProjectFile, 0, 0, 0, 0,
                    "The connection to the StepUp director was lost (" + e.Message + "). It may have been killed; the next build repairs the graph. Director log: " + logPath);
                return false;
            }
            finally
            {
                lock (_gate) _stream = null;
            }
        }

        public void Cancel()
        {
            lock (_gate)
            {
                _cancelled = true;
                if (_stream == null) return;
                try { Framing.WriteMessage(_stream, new Dictionary<string, object?> { ["type"] = "cancel" }); }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
            }
        }

        bool ValidateProperties()
        {
            var ok = true;
            if (Jobs.Length > 0 && (!int.TryParse(Jobs, NumberStyles.Integer, CultureInfo.InvariantCulture, out var j) || j < 1))
                ok = PropertyError("StepUpJobs", Jobs, "a whole number of at least 1");
            if (!double.TryParse(IdleTimeout, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) || t < 0)
                ok = PropertyError("StepUpDirectorIdleTimeout", IdleTimeout, "a number of minutes (0 or more)");
            foreach (var part in Resources.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).Where(p => p.Length > 0))
            {
                var colon = part.IndexOf(':');
                if (colon <= 0 || !int.TryParse(part.Substring(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var units) || units < 0)
                    ok = PropertyError("StepUpResources", Resources, "name:units pairs such as gpu:1;transform:2");
            }
            return ok;
        }

        bool PropertyError(string name, string value, string expected)
        {
            Log.LogError(null, "STEPUP0009", null, ProjectFile, 0, 0, 0, 0, name + "='" + value + "' is not valid; expected " + expected + ".");
            return false;
        }

        Dictionary<string, object?> Request()
        {
            var transient = IsTrue(Environment.GetEnvironmentVariable("CI")) ||
                            double.TryParse(IdleTimeout, NumberStyles.Float, CultureInfo.InvariantCulture, out var t) && t <= 0;
            var request = new Dictionary<string, object?>
            {
                ["type"] = Action.ToLowerInvariant(),
                ["protocol"] = (long)ProtocolInfo.Version,
                ["root"] = Path.GetFullPath(ProjectRoot),
                ["idleTimeout"] = double.Parse(IdleTimeout, CultureInfo.InvariantCulture),
                ["transient"] = transient,
                ["prefix"] = GraphPrefix,
            };
            if (Action != "Build") return request;

            var env = new Dictionary<string, object?>();
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
                env[(string)entry.Key] = entry.Value as string ?? "";
            request["env"] = env;
            request["options"] = new Dictionary<string, object?>
            {
                ["jobs"] = (long)(int.TryParse(Jobs, out var jobs) && jobs > 0 ? jobs : Environment.ProcessorCount),
                ["keepGoing"] = KeepGoing,
                ["clean"] = Clean,
                ["targets"] = Targets.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).Cast<object?>().ToList(),
                ["resources"] = Resources,
                ["explainRerun"] = ExplainRerun,
                ["list"] = ListOnly,
            };
            return request;
        }

        /// <summary>
        /// The Step, Static and Script items with their metadata and locations, as JSON text written
        /// straight from the items: for 10,000 steps, intermediate objects cost more than the text.
        /// </summary>
        string ItemsJson()
        {
            var locations = new Dictionary<string, ItemLocations>(StringComparer.OrdinalIgnoreCase);
            var items = new StringBuilder(256 * (Statics.Length + Steps.Length + Scripts.Length) + 16);
            items.Append('[');
            var first = true;
            void Add(string type, ITaskItem[] list)
            {
                foreach (var item in list)
                {
                    var defining = item.GetMetadata("DefiningProjectFullPath");
                    if (string.IsNullOrEmpty(defining)) defining = ProjectFile;
                    if (!locations.TryGetValue(defining, out var fileLocations)) locations[defining] = fileLocations = ItemLocations.Read(defining);
                    var original = item.GetMetadata("OriginalItemSpec");
                    var (file, line, column) = fileLocations.Take(type, original.Length > 0 ? original : item.ItemSpec);
                    if (!first) items.Append(',');
                    first = false;
                    items.Append("{\"type\":\"").Append(type).Append("\",\"include\":");
                    Json.WriteString(items, item.ItemSpec);
                    items.Append(",\"meta\":{");
                    var firstMeta = true;
                    foreach (DictionaryEntry entry in item.CloneCustomMetadata())
                    {
                        var name = (string)entry.Key;
                        var value = entry.Value as string;
                        if (string.IsNullOrEmpty(value) || Array.IndexOf(MetadataNames, name) < 0) continue;
                        if (!firstMeta) items.Append(',');
                        firstMeta = false;
                        Json.WriteString(items, name);
                        items.Append(':');
                        Json.WriteString(items, value!);
                    }
                    items.Append("},\"file\":");
                    Json.WriteString(items, file);
                    items.Append(",\"line\":").Append(line.ToString(CultureInfo.InvariantCulture))
                         .Append(",\"column\":").Append(column.ToString(CultureInfo.InvariantCulture)).Append('}');
                }
            }
            Add("Static", Statics);
            Add("Step", Steps);
            Add("Script", Scripts);
            Add("Global", Globals);
            Add("Plan", Plans);
            if (PlanNames.Length > 0 || RealizationsDir.Length > 0)
            {
                // The settings that change the plan travel with the items, so the plan's fingerprint covers them.
                if (!first) items.Append(',');
                items.Append("{\"type\":\"Settings\",\"include\":\"\",\"meta\":{\"Plan\":");
                Json.WriteString(items, PlanNames);
                items.Append(",\"RealizationsDir\":");
                Json.WriteString(items, RealizationsDir);
                items.Append("}}");
            }
            items.Append(']');
            return items.ToString();
        }

        /// <summary>Logs the director's events until it says it is done.</summary>
        bool Relay(Stream stream, string logPath)
        {
            var lastTag = "";
            while (true)
            {
                var message = Framing.ReadMessage(stream);
                if (message == null)
                {
                    if (_cancelled) return false;
                    Log.LogError(null, "STEPUP0302", null, ProjectFile, 0, 0, 0, 0,
                        "The StepUp director stopped before the request was done. It may have been killed; the next build repairs the graph. Director log: " + logPath);
                    return false;
                }
                switch (message.Str("type"))
                {
                    case "line":
                        lastTag = message.Str("tag") ?? "";
                        var important = lastTag == "FAIL" || lastTag == "WARNING";
                        // What StepUpList leaves out is shown at detailed verbosity (-v:d).
                        var importance = important ? MessageImportance.High : lastTag == "OMITTED" ? MessageImportance.Low : MessageImportance.Normal;
                        Log.LogMessage(importance, "{0}", EventText.Line(lastTag, message.Str("text") ?? ""));
                        break;
                    case "lines":
                        lastTag = message.Str("tag") ?? "";
                        foreach (var text in message.Strings("texts"))
                            Log.LogMessage(MessageImportance.Normal, EventText.Line(lastTag, text));
                        break;
                    case "page":
                        Log.LogMessage(lastTag == "FAIL" ? MessageImportance.High : MessageImportance.Normal, "{0}",
                            EventText.Page(message.Str("title") ?? "", message.Str("text") ?? ""));
                        break;
                    case "diag":
                        LogDiagnostic(message);
                        break;
                    case "rejected":
                        Log.LogError(null, "STEPUP0303", null, ProjectFile, 0, 0, 0, 0,
                            "The StepUp director refused the request: " + message.Str("reason") + ". Stop it with `dotnet build -t:StepUpShutdown` and build again.");
                        return false;
                    case "done":
                        Summary = message.Str("summary") ?? "";
                        if (message.TryGetValue("directorMs", out var ms))
                            Log.LogMessage(MessageImportance.Low, "StepUp director time: {0} ms", Convert.ToDouble(ms, CultureInfo.InvariantCulture).ToString("0.0", CultureInfo.InvariantCulture));
                        if (Summary.Length > 0)
                        {
                            // "<project> -> text" is the form the terminal logger shows on the project's result line.
                            Log.LogMessage(MessageImportance.High, "{0} -> {1}", Path.GetFileNameWithoutExtension(ProjectFile), Summary);
                        }
                        return message.Bool("success");
                }
            }
        }

        void LogDiagnostic(Dictionary<string, object?> message)
        {
            var file = message.Str("file");
            if (string.IsNullOrEmpty(file)) file = ProjectFile;
            var line = (int)message.Long("line");
            var column = (int)message.Long("column");
            var code = message.Str("code") ?? "STEPUP0000";
            var text = message.Str("message") ?? "";
            if (message.Str("severity") == "warning")
                Log.LogWarning(null, code, null, file, line, column, 0, 0, "{0}", text);
            else
                Log.LogError(null, code, null, file, line, column, 0, 0, "{0}", text);
        }

        bool Shutdown()
        {
            var endpoint = new Endpoint(Endpoint.DefaultDirectory(), Endpoint.ComputeId(SdkVersion, DirectorPath));
            using (var stream = endpoint.TryConnect(2000))
            {
                if (stream == null)
                {
                    Log.LogMessage(MessageImportance.High, "No StepUp director is running.");
                    return true;
                }
                Framing.WriteMessage(stream, new Dictionary<string, object?> { ["type"] = "shutdown", ["protocol"] = (long)ProtocolInfo.Version });
                var answer = Framing.ReadMessage(stream);
                Log.LogMessage(MessageImportance.High, "Stopped the StepUp director (pid {0}).", answer?.Long("pid") ?? 0);
            }
            return true;
        }

        static bool IsTrue(string? value) =>
            !string.IsNullOrEmpty(value) && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) && value != "0";
    }
}
