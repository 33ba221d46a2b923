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
    readonly Channel<Dictionary<string, object?>> _queue = Channel.CreateUnbounded<Dictionary<string, object?>>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task _writer;

    public EventStream(Stream stream)
    {
        _stream = stream;
        _writer = Task.Run(WriteLoop);
    }

    /// <summary>True once the client can no longer be reached.</summary>
    public bool Broken { get; private set; }

    // Runs of SKIP lines (thousands in a no-op build) travel as one message; the task still logs
    // one MSBuild message per line.
    readonly List<object?> _skips = new();

    public void Line(string tag, string text)
    {
        if (tag == "SKIP")
        {
            _skips.Add(text);
            if (_skips.Count >= 4096) FlushSkips();
            return;
        }
        FlushSkips();
        Send(new() { ["type"] = "line", ["tag"] = tag, ["text"] = text });
    }

    void FlushSkips()
    {
        if (_skips.Count == 0) return;
        _queue.Writer.TryWrite(new() { ["type"] = "lines", ["tag"] = "SKIP", ["texts"] = new List<object?>(_skips) });
        _skips.Clear();
    }

    public void Page(string title, string text) =>
        Send(new() { ["type"] = "page", ["title"] = title, ["text"] = text });

    public void Report(Diagnostic d) =>
        Send(new()
        {
            ["type"] = "diag",
            ["severity"] = d.Severity == Severity.Error ? "error" : "warning",
            ["code"] = d.Code,
            ["message"] = d.Message,
            ["file"] = d.Location.File,
            ["line"] = (long)d.Location.Line,
            ["column"] = (long)d.Location.Column,
        });

    public void Send(Dictionary<string, object?> message)
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
                while (_queue.Reader.TryRead(out var message)) Framing.WriteMessageUnflushed(buffered, message);
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
