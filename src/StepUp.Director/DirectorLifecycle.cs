namespace StepUp.Director;

/// <summary>Where the director is in its life; see <see cref="DirectorLifecycle"/>.</summary>
enum DirectorState
{
    /// <summary>Not listening yet.</summary>
    Starting,

    /// <summary>Listening, with no request in flight: the keep-alive runs.</summary>
    Idle,

    /// <summary>At least one request in flight.</summary>
    Serving,

    /// <summary>Takes no new request; ends once those in flight are done.</summary>
    ShuttingDown,
}

/// <summary>
/// The director's state and keep-alive. Only a connection that sent a valid request counts as
/// activity: silent or malformed connections neither keep the director alive nor end its idle time.
/// As in Roslyn's compiler server, the first request replaces the default keep-alive and later ones
/// can only make it longer, so a build that asks for a short life (CI, an idle timeout of 0) does
/// not end a director that others asked to keep.
/// </summary>
sealed class DirectorLifecycle
{
    readonly object _gate = new();
    int _active;
    DateTime _idleSince = DateTime.UtcNow;
    TimeSpan _keepAlive = TimeSpan.FromMinutes(Contract.DefaultIdleTimeoutMinutes);
    bool _keepAliveIsDefault = true;
    DirectorState _state = DirectorState.Starting;

    public DirectorState State
    {
        get { lock (_gate) return _state; }
    }

    public int Active
    {
        get { lock (_gate) return _active; }
    }

    public void Listening()
    {
        lock (_gate)
        {
            if (_state != DirectorState.Starting) return;
            _state = DirectorState.Idle;
            _idleSince = DateTime.UtcNow;
        }
    }

    /// <summary>A valid request arrived; false when the director no longer takes requests.</summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_state == DirectorState.ShuttingDown) return false;
            _active++;
            _state = DirectorState.Serving;
            return true;
        }
    }

    public void Leave()
    {
        lock (_gate)
        {
            _active--;
            if (_active > 0 || _state != DirectorState.Serving) return;
            _state = DirectorState.Idle;
            _idleSince = DateTime.UtcNow;
        }
    }

    /// <summary>A request asks the director to stay idle this long after it; only a longer one changes the keep-alive.</summary>
    public void OfferKeepAlive(TimeSpan keepAlive)
    {
        lock (_gate)
        {
            if (!_keepAliveIsDefault && keepAlive <= _keepAlive) return;
            _keepAlive = keepAlive;
            _keepAliveIsDefault = false;
        }
    }

    /// <summary>Why the director should stop now that it is idle, or null while it may stay.</summary>
    public string? IdleExpired()
    {
        lock (_gate)
        {
            if (_state != DirectorState.Idle || DateTime.UtcNow - _idleSince < _keepAlive) return null;
            return _keepAlive == TimeSpan.Zero
                ? "transient director: nothing left to do"
                : $"idle for {_keepAlive.TotalMinutes:0.##} minute(s)";
        }
    }

    /// <summary>Enters <see cref="DirectorState.ShuttingDown"/>; false when it already was.</summary>
    public bool BeginShutdown()
    {
        lock (_gate)
        {
            if (_state == DirectorState.ShuttingDown) return false;
            _state = DirectorState.ShuttingDown;
            return true;
        }
    }
}
