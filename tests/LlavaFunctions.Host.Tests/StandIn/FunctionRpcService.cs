using Grpc.Core;
using LlavaFunctions.HostTests.Rpc;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>The host's end of FunctionRpc.EventStream: the worker's first message names it; the stand-in drives the rest.</summary>
internal sealed class FunctionRpcService(FunctionsHostStandIn host) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(context);
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.FailedPrecondition, "The first message must be StartStream."));
        }

        WorkerChannel channel = new(requestStream.Current.StartStream.WorkerId, responseStream, host.Log);
        host.Attach(channel);
        await channel.ReadAsync(requestStream, context.CancellationToken);
    }
}
