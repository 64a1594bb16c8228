using System.Collections.Concurrent;
using Grpc.Core;
using LlavaFunctions.HostTests.Rpc;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>
/// One worker's FunctionRpc.EventStream, seen from the host: requests go out on the response stream, answers come
/// back on the request stream and complete the matching pending call. When the stream ends (the worker exited or
/// was killed) every pending call fails with <see cref="WorkerUnavailableException"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The write lock never allocates a wait handle (AvailableWaitHandle is not used), so there is nothing to dispose; a late InvocationCancel may still write after the stream closed.")]
internal sealed class WorkerChannel
{
    private readonly IServerStreamWriter<StreamingMessage> _writer;
    private readonly StandInLog _log;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkerChannel(string workerId, IServerStreamWriter<StreamingMessage> writer, StandInLog log)
    {
        WorkerId = workerId;
        _writer = writer;
        _log = log;
    }

    public string WorkerId { get; }

    /// <summary>The worker's own Kestrel (ASP.NET Core integration), from its WorkerInitResponse capabilities.</summary>
    public Uri? HttpUri { get; private set; }

    public Task Closed => _closed.Task;

    /// <summary>Reads the worker's messages until the stream ends.</summary>
    public async Task ReadAsync(IAsyncStreamReader<StreamingMessage> reader, CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.MoveNext(cancellationToken))
            {
                Receive(reader.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or Grpc.Core.RpcException or OperationCanceledException or InvalidOperationException)
        {
            _log.Write("host", $"worker {WorkerId} stream ended: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            Close();
        }
    }

    public void Close()
    {
        _closed.TrySetResult();
        foreach (string key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out TaskCompletionSource<StreamingMessage>? waiting))
            {
                waiting.TrySetException(new WorkerUnavailableException($"Worker {WorkerId} went away before it answered ({key})."));
            }
        }
    }

    public async Task<WorkerInitResponse> InitializeAsync(string appDirectory, CancellationToken cancellationToken)
    {
        WorkerInitRequest request = new()
        {
            HostVersion = "4.1000.0-llava-standin",
            WorkerDirectory = appDirectory,
            FunctionAppDirectory = appDirectory,
        };
        // What the host offers; the worker answers with its own capabilities (HttpUri among them).
        request.Capabilities.Add("RpcHttpBodyOnly", "true");
        request.Capabilities.Add("TypedDataCollection", "true");
        StreamingMessage answer = await CallAsync("init", new StreamingMessage { WorkerInitRequest = request }, cancellationToken);
        WorkerInitResponse response = answer.WorkerInitResponse;
        if (response.Result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"Worker {WorkerId} failed to initialise: {response.Result.Exception?.Message}");
        }

        if (response.Capabilities.TryGetValue("HttpUri", out string? httpUri))
        {
            HttpUri = new Uri(httpUri);
        }

        return response;
    }

    public async Task<IReadOnlyList<WorkerFunction>> LoadFunctionsAsync(string appDirectory, CancellationToken cancellationToken)
    {
        StreamingMessage answer = await CallAsync("metadata", new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } }, cancellationToken);
        FunctionMetadataResponse metadata = answer.FunctionMetadataResponse;
        if (metadata.Result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"Worker {WorkerId} failed to index its functions: {metadata.Result.Exception?.Message}");
        }

        List<WorkerFunction> functions = [];
        foreach (RpcFunctionMetadata function in metadata.FunctionMetadataResults)
        {
            WorkerFunction parsed = WorkerFunction.FromRpc(function);
            function.FunctionId = parsed.FunctionId;
            StreamingMessage loaded = await CallAsync("load:" + parsed.FunctionId, new StreamingMessage { FunctionLoadRequest = new FunctionLoadRequest { FunctionId = parsed.FunctionId, Metadata = function } }, cancellationToken);
            if (loaded.FunctionLoadResponse.Result.Status != StatusResult.Types.Status.Success)
            {
                throw new InvalidOperationException($"Worker {WorkerId} failed to load {parsed.Name}: {loaded.FunctionLoadResponse.Result.Exception?.Message}");
            }

            functions.Add(parsed);
        }

        return functions;
    }

    /// <summary>Sends an invocation; on cancellation (function timeout, host shutdown) tells the worker with InvocationCancel.</summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        string key = "invoke:" + request.InvocationId;
        Task<StreamingMessage> answer = StartCallAsync(key, new StreamingMessage { InvocationRequest = request }, CancellationToken.None);
        await using CancellationTokenRegistration cancel = cancellationToken.Register(() => _ = SendAsync(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = request.InvocationId } }, CancellationToken.None));
        return (await answer).InvocationResponse;
    }

    public Task SendAsync(StreamingMessage message, CancellationToken cancellationToken) => WriteAsync(message, cancellationToken);

    private Task<StreamingMessage> CallAsync(string key, StreamingMessage message, CancellationToken cancellationToken) =>
        StartCallAsync(key, message, cancellationToken).WaitAsync(cancellationToken);

    private Task<StreamingMessage> StartCallAsync(string key, StreamingMessage message, CancellationToken cancellationToken)
    {
        TaskCompletionSource<StreamingMessage> waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, waiting))
        {
            throw new InvalidOperationException($"A call {key} is already pending.");
        }

        if (_closed.Task.IsCompleted)
        {
            Close();
        }

        return SendThenWaitAsync(message, waiting, cancellationToken);
    }

    private async Task<StreamingMessage> SendThenWaitAsync(StreamingMessage message, TaskCompletionSource<StreamingMessage> waiting, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or Grpc.Core.RpcException or InvalidOperationException or ObjectDisposedException)
        {
            throw new WorkerUnavailableException($"Worker {WorkerId} could not be sent {message.ContentCase}.", ex);
        }

        return await waiting.Task;
    }

    private async Task WriteAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _writer.WriteAsync(message, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Receive(StreamingMessage message)
    {
        string? key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.WorkerInitResponse => "init",
            StreamingMessage.ContentOneofCase.FunctionMetadataResponse => "metadata",
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => "load:" + message.FunctionLoadResponse.FunctionId,
            StreamingMessage.ContentOneofCase.InvocationResponse => "invoke:" + message.InvocationResponse.InvocationId,
            _ => null,
        };
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            RpcLog log = message.RpcLog;
            _log.Write("worker-rpclog", $"{log.Level} {log.Category}: {log.Message}{(log.Exception is { } ex ? " | " + ex.Message : "")}");
        }
        else if (key is not null && _pending.TryRemove(key, out TaskCompletionSource<StreamingMessage>? waiting))
        {
            waiting.TrySetResult(message);
        }
        else
        {
            _log.Write("host", $"worker {WorkerId} sent {message.ContentCase} that nothing waits for");
        }
    }
}
