using Xunit.Abstractions;

namespace LlavaFunctions.Host.Tests.Smoke;

public sealed class SmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Health()
    {
        await using StandInApp app = await StandInApp.StartAsync();
        HttpResponseMessage r = await app.Http.GetAsync(new Uri("api/health", UriKind.Relative));
        output.WriteLine(await r.Content.ReadAsStringAsync());
        output.WriteLine(app.Host.Log.Tail(200));
        Assert.Fail("show");
    }
}
