using System.Diagnostics;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Llava.Serving.Http;

/// <summary>
/// What every endpoint does around its own work: a cancellation token that fires when the client goes away, an
/// activity, the request metric, and one error path through <see cref="ApiErrorMapper"/> (a status and a body before
/// the response has started, an error event on a started event stream, an aborted connection otherwise).
/// </summary>
internal sealed class ApiRequest
{
    private ApiRequest(HttpContext context, string endpoint)
    {
        Context = context;
        Endpoint = endpoint;
    }

    public HttpContext Context { get; }

    public string Endpoint { get; }

    public Activity? Activity { get; private init; }

    /// <summary>The event stream of a streamed answer, once the endpoint opened one.</summary>
    public SseSession? Sse { get; private set; }

    private ISseFormat? SseFormat { get; set; }

    public static async Task RunAsync(HttpContext context, string endpoint, ErrorFormat errors, ILogger logger, Func<ApiRequest, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.RequestAborted);
        CancellationToken token = linked.Token;
        using Activity? activity = ServingTelemetry.ActivitySource.StartActivity("llava." + endpoint);
        ApiRequest request = new(context, endpoint) { Activity = activity };
        long started = Stopwatch.GetTimestamp();
        string outcome = ServingTelemetry.OutcomeOk;
        try
        {
            await handle(request, token);
        }
        catch (Exception ex) when (token.IsCancellationRequested)
        {
            // The client went away (or the host is stopping): nobody is left to answer; the generation has stopped.
            outcome = ServingTelemetry.OutcomeCancelled;
            activity?.SetStatus(ActivityStatusCode.Error, outcome);
            HttpApiLog.ClientGone(logger, endpoint);
            activity?.AddException(ex);
        }
        catch (Exception ex)
        {
            ApiError error = ApiErrorMapper.Map(ex);
            outcome = error.Code;
            activity?.SetStatus(ActivityStatusCode.Error, error.Code);
            if (error.Status >= StatusCodes.Status500InternalServerError && error.Code == ApiErrorCodes.InternalError)
            {
                HttpApiLog.Failed(logger, endpoint, ex);
            }
            else
            {
                HttpApiLog.Refused(logger, endpoint, error.Status, error.Code, error.Detail);
            }

            await request.WriteErrorAsync(error, errors, logger, token);
        }
        finally
        {
            if (request.Sse is { } sse)
            {
                await sse.DisposeAsync();
            }

            ServingTelemetry.RecordRequest(endpoint, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Creates the event stream of this request; it is started by <see cref="GenerationStreamer"/>.</summary>
    public SseSession OpenEventStream(ISseFormat format, TimeSpan heartbeatInterval)
    {
        Sse = new SseSession(Context.Response, heartbeatInterval);
        SseFormat = format;
        return Sse;
    }

    private async Task WriteErrorAsync(ApiError error, ErrorFormat errors, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            if (Sse is { IsStarted: true } sse && SseFormat is { } format)
            {
                HttpApiLog.FailedMidStream(logger, Endpoint, error.Status, error.Code, error.Detail);
                await format.WriteErrorAsync(sse, error, cancellationToken);
            }
            else if (!Context.Response.HasStarted)
            {
                await (errors == ErrorFormat.OpenAi
                    ? ApiErrorMapper.WriteOpenAiErrorAsync(Context, error, cancellationToken)
                    : ApiErrorMapper.WriteProblemAsync(Context, error, cancellationToken));
            }
            else
            {
                HttpApiLog.ErrorNotSent(logger, Endpoint, "the response had already started");
                Context.Abort();
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            HttpApiLog.ErrorNotSent(logger, Endpoint, ex.Message);
        }
    }
}
