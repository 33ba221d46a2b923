using System.Threading.Channels;
using StepUp.Engine.Building;
using StepUp.Engine.Planning;
using StepUp.Protocol;

namespace StepUp.Director;

/// <summary>
/// Sends a build's events to its client. Events are queued and written by one task, and the
/// stream is flushed only when the queue is empty, so a burst of SKIP lines costs few writes.
/// </summary>
sealed class EventStream : IBuildEvents, IAsyncDisposable
{
    readonly Stream _stream;
    readonly Channel<Message> _queue = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _writer;

    readonly bool _stepLines;

    // The lines a step has in every build (and the output pages of a step that succeeded), which a
    // client that shows no normal-importance message would only drop (see BuildProjectRequest.StepLines).
    static readonly HashSet<string> StepTags = new(StringComparer.Ordinal) { "START", "SUCCESS", "SKIP" };

    // A build's lines and pages come in order from its loop: a page belongs to the line before it.
    volatile bool _droppingPages;

    /// <param name="stepLines">Whether the client shows the START, SUCCESS and SKIP line of each step (<see cref="BuildProjectRequest.StepLines"/>).</param>
    public EventStream(Stream stream, bool stepLines = true)
    {
        _stream = stream;
        _stepLines = stepLines;
        _writer = Task.Run(WriteLoop);
    }

    /// <summary>False for a line the client would not show; the pages after it go with it.</summary>
    bool Keep(string tag)
    {
        if (_stepLines) return true;
        _droppingPages = StepTags.Contains(tag);
        return !_droppingPages;
    }

    /// <summary>True once the client can no longer be reached.</summary>
    public bool Broken { get; private set; }

    // Runs of SKIP lines (thousands in a no-op build) travel as one message; the task still logs
    // one MSBuild message per line. A run reaches the client within SkipDelay even when nothing
    // follows it (a step that waits in a hold reads the log for its skipped steps).
    readonly List<string> _skips = new();
    static readonly TimeSpan SkipDelay = TimeSpan.FromMilliseconds(20);

    public void Line(string tag, string text)
    {
        if (!Keep(tag)) return;
        if (tag == "SKIP")
        {
            lock (_skips)
            {
                _skips.Add(text);
                if (_skips.Count >= 4096) FlushSkips();
                else if (_skips.Count == 1) _ = FlushSkipsLaterAsync();
            }
            return;
        }
        Send(new LineEvent { Tag = tag, Text = text });
    }

    async Task FlushSkipsLaterAsync()
    {
        await Task.Delay(SkipDelay).ConfigureAwait(false);
        FlushSkips();
    }

    public void Line(string tag, string text, TimeSpan duration)
    {
        if (Keep(tag)) Send(new LineEvent { Tag = tag, Text = text, DurationMs = Math.Round(duration.TotalMilliseconds, 1) });
    }

    void FlushSkips()
    {
        lock (_skips)
        {
            if (_skips.Count == 0) return;
            _queue.Writer.TryWrite(new LineBatchEvent { Tag = "SKIP", Texts = new List<string>(_skips) });
            _skips.Clear();
        }
    }

    public void Page(string title, string text)
    {
        if (!_droppingPages) Send(new PageEvent { Title = title, Text = text });
    }

    public void Report(Diagnostic d) =>
        Send(new DiagnosticEvent
        {
            IsWarning = d.Severity == Severity.Warning,
            Code = d.Code,
            Text = d.Message,
            File = d.Location.File,
            Line = d.Location.Line,
            Column = d.Location.Column,
        });

    public void Send(Message message)
    {
        FlushSkips();
        _queue.Writer.TryWrite(message);
    }

    async Task WriteLoop()
    {
        var buffered = new BufferedStream(_stream, 64 * 1024);
        try
        {
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var message)) Framing.WriteUnflushed(buffered, message.ToFrame());
                await buffered.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (IOException) { Broken = true; }
        catch (ObjectDisposedException) { Broken = true; }
    }

    public async ValueTask DisposeAsync()
    {
        FlushSkips();
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
