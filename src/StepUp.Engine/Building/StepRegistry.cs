using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace StepUp.Engine.Building;

/// <summary>
/// The steps running right now, by the secret token each gets in its environment. A call from a
/// process without a live token (a step that finished, or someone else's program) is refused.
/// </summary>
public sealed class StepRegistry
{
    readonly ConcurrentDictionary<string, IStepCallTarget> _running = new(StringComparer.Ordinal);

    public string Register(IStepCallTarget target)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _running[token] = target;
        return token;
    }

    public void Unregister(string token) => _running.TryRemove(token, out _);

    public IStepCallTarget? Find(string? token) =>
        token != null && _running.TryGetValue(token, out var target) ? target : null;
}

/// <summary>A running step that can answer its own API calls.</summary>
public interface IStepCallTarget
{
    Task<Protocol.Message> CallAsync(Protocol.StepCall call);
}
