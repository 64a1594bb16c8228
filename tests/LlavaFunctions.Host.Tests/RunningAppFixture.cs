namespace LlavaFunctions.Host.Tests;

/// <summary>One running app (stand-in + published worker) shared by the tests of a class that do not break it.</summary>
public sealed class RunningAppFixture : IAsyncLifetime
{
    public StandInApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await StandInApp.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}
