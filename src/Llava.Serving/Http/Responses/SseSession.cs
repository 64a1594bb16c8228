using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Llava.Serving.Http.Responses;

/// <summary>
/// One Server-Sent Events response: headers that keep proxies from buffering, every event flushed as written, and a
/// <c>: ping</c> comment every heartbeat interval so idle-timeout ingresses keep the connection. Writes (events and
/// heartbeats) never interleave.
/// </summary>
internal sealed class SseSession : IAsyncDisposable
{
    private static readonly byte[] s_ping = ": ping\n\n"u8.ToArray();

    private readonly HttpResponse _response;
    private readonly TimeSpan _heartbeatInterval;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private PeriodicTimer? _timer;
    private Task _heartbeat = Task.CompletedTask;
    private CancellationToken _aborted;

    public SseSession(HttpResponse response, TimeSpan heartbeatInterval)
    {
        _response = response;
        _heartbeatInterval = heartbeatInterval;
    }

    /// <summary>Whether the 200 and the event-stream headers have gone out (errors after that are events).</summary>
    public bool IsStarted { get; private set; }

    /// <summary>Sends the status and headers and starts the heartbeat.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _response.StatusCode = StatusCodes.Status200OK;
        _response.ContentType = "text/event-stream; charset=utf-8";
        _response.Headers.CacheControl = "no-cache, no-store";
        _response.Headers["X-Accel-Buffering"] = "no";
        _response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        IsStarted = true;
        _aborted = cancellationToken;
        await _response.StartAsync(cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
        _timer = new PeriodicTimer(_heartbeatInterval);
        _heartbeat = HeartbeatAsync(_timer);
    }

    /// <summary><c>event: name</c> (when given) and <c>data: data</c>; <paramref name="data"/> is one line (compact JSON).</summary>
    public Task WriteEventAsync(string? name, string data, CancellationToken cancellationToken)
    {
        StringBuilder text = new(data.Length + 32);
        if (name is not null)
        {
            text.Append("event: ").Append(name).Append('\n');
        }

        text.Append("data: ").Append(data).Append("\n\n");
        return WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // A disposed timer ends the heartbeat loop at its next wait.
        _timer?.Dispose();
        await _heartbeat;
        _writeLock.Dispose();
    }

    private async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _response.Body.WriteAsync(bytes, cancellationToken);
            await _response.Body.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task HeartbeatAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync(CancellationToken.None))
        {
            try
            {
                await WriteAsync(s_ping, _aborted);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client is gone; the request's own writes see the same and end the request.
                return;
            }
        }
    }
}
