namespace Llava.Serving.Tests.Infrastructure;

/// <summary>One ready server (4 generation slots, a deep queue) shared by the tests of a class.</summary>
public sealed class ReadyServerFixture : IAsyncLifetime
{
    private ServingServer? _server;

    internal ServingServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await ServingServer.StartReadyAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
