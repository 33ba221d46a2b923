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

    readonly bool _skipLines;

    /// <param name="skipLines">Whether the client shows a SKIP line per up-to-date step (<see cref="BuildProjectRequest.SkipLines"/>).</param>
    public EventStream(Stream stream, bool skipLines = true)
    {
        _stream = stream;
        _skipLines = skipLines;
        _writer = Task.Run(WriteLoop);
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
        if (tag == "SKIP")
        {
            if (!_skipLines) return;
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

    public void Line(string tag, string text, TimeSpan duration) =>
        Send(new LineEvent { Tag = tag, Text = text, DurationMs = Math.Round(duration.TotalMilliseconds, 1) });

    void FlushSkips()
    {
        lock (_skips)
        {
            if (_skips.Count == 0) return;
            _queue.Writer.TryWrite(new LineBatchEvent { Tag = "SKIP", Texts = new List<string>(_skips) });
            _skips.Clear();
        }
    }

    public void Page(string title, string text) => Send(new PageEvent { Title = title, Text = text });

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
