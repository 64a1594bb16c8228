using Azure.Storage.Blobs;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Requests;
using LlavaFunctions.Storage;

namespace LlavaFunctions.Tests.Storage;

/// <summary>An image reference can name a blob in the allowed containers of the app's account and nothing else.</summary>
public sealed class ImageReferenceTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("azure-webjobs-secrets/host.json")]
    [InlineData("azure-webjobs-hosts/locks/x")]
    [InlineData("{answers}/job.json")]
    [InlineData("{images}/../azure-webjobs-secrets/host.json")]
    [InlineData("{images}/a/../../azure-webjobs-secrets/host.json")]
    [InlineData("{images}/%2e%2e/azure-webjobs-secrets/host.json")]
    [InlineData("{images}/a\\..\\b.png")]
    [InlineData("{images}/./cat.png")]
    [InlineData("{images}//cat.png")]
    [InlineData("{images}/")]
    [InlineData("{images}/cat.png?sv=2024-01-01&sig=abc")]
    [InlineData("{images}/cat.png#x")]
    [InlineData("/{images}/cat.png")]
    [InlineData("{images}")]
    [InlineData("{account}/azure-webjobs-secrets/host.json")]
    [InlineData("{account}/{images}/cat.png?sv=2024-01-01&sig=abc")]
    [InlineData("{account}/{images}/cat.png#fragment")]
    [InlineData("https://otheraccount.blob.core.windows.net/{images}/cat.png")]
    [InlineData("http://user:pass@127.0.0.1:20000/devstoreaccount1/{images}/cat.png")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://127.0.0.1/{images}/cat.png")]
    [InlineData("ht tp://127.0.0.1/{images}/cat.png")]
    [InlineData("{images}/a\u0001b.png")]
    [InlineData("{images}/tab\tname.png")]
    [InlineData("{images}/a:b.png")]
    public void References_outside_the_allowed_containers_of_the_account_are_refused_before_any_request(string template)
    {
        string reference = System.Text.RegularExpressions.Regex.Unescape(Fill(template));

        ImageReferenceException error = Assert.Throws<ImageReferenceException>(() => Resolver().Resolve(reference));

        Assert.Equal(ImageReferenceFailure.NotAllowed, error.Failure);
        Assert.Equal(ApiErrorCodes.ImageReferenceRefused, ApiErrorMapper.Map(error).Code);
    }

    [Theory]
    [InlineData("{images}/cat.png")]
    [InlineData("{images}/folder/sub folder/cat.png")]
    [InlineData("{account}/{images}/folder/cat.png")]
    public void References_in_the_images_container_resolve_to_that_blob(string template)
    {
        BlobClient blob = Resolver().Resolve(Fill(template));

        Assert.Equal(app.Images.Name, blob.BlobContainerName);
        Assert.EndsWith("cat.png", blob.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blob_name_may_have_1024_characters_and_no_more()
    {
        Assert.Equal(1024, Resolver().Resolve($"{app.Images.Name}/{new string('n', 1024)}").Name.Length);
        Assert.Throws<ImageReferenceException>(() => Resolver().Resolve($"{app.Images.Name}/{new string('n', 1025)}"));
    }

    [Fact]
    public void A_refusal_names_the_containers_that_are_allowed()
    {
        ImageReferenceException one = Assert.Throws<ImageReferenceException>(() => Resolver().Resolve("elsewhere/cat.png"));
        ImageReferenceException two = Assert.Throws<ImageReferenceException>(() => new OwnStorageImages(app.Storage, app.Options with { ImageContainers = "scans" }).Resolve("elsewhere/cat.png"));

        Assert.Contains($"the container {app.Images.Name};", one.Message, StringComparison.Ordinal);
        Assert.Contains($"the containers {app.Images.Name}, scans;", two.Message, StringComparison.Ordinal);
        Assert.Contains("'elsewhere'", one.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_container_on_the_allow_list_can_be_referenced_and_others_still_cannot()
    {
        BlobContainerClient extra = await app.Sandbox.CreateContainerAsync("extra");
        await extra.GetBlobClient("cat.png").UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")));
        OwnStorageImages resolver = new(app.Storage, app.Options with { ImageContainers = extra.Name });

        ReadOnlyMemory<byte> image = await resolver.ResolveAsync($"{extra.Name}/cat.png", app.Options.MaxImageBytes, CancellationToken.None);

        Assert.Equal(AppFixture.Image("chelsea_336x336"), image.ToArray());
        Assert.Throws<ImageReferenceException>(() => resolver.Resolve($"{app.Answers.Name}/cat.png"));
        Assert.Throws<ImageReferenceException>(() => Resolver().Resolve($"{extra.Name}/cat.png"));
    }

    [Fact]
    public async Task A_blob_replaced_between_the_size_check_and_the_download_is_read_as_the_new_version()
    {
        byte[] second = AppFixture.Image("coffee_500x375");
        BlobClient blob = app.Images.GetBlobClient("refs/swapped.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        int calls = 0;
        OwnStorageImages racing = new(app.Storage, app.Options)
        {
            BeforeDownload = async (target, token) =>
            {
                if (calls++ == 0)
                {
                    await target.UploadAsync(BinaryData.FromBytes(second), overwrite: true, token);
                }
            },
        };

        ReadOnlyMemory<byte> image = await racing.ResolveAsync($"{app.Images.Name}/refs/swapped.png", app.Options.MaxImageBytes, CancellationToken.None);

        Assert.Equal(second, image.ToArray());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_blob_that_never_stops_changing_is_a_retryable_failure()
    {
        BlobClient blob = app.Images.GetBlobClient("refs/churning.png");
        await blob.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true);
        int reads = 0;
        OwnStorageImages churning = new(app.Storage, app.Options)
        {
            BeforeDownload = (target, token) =>
            {
                reads++;
                return target.UploadAsync(BinaryData.FromBytes(AppFixture.Image("chelsea_336x336")), overwrite: true, token);
            },
        };

        ImageReferenceException error = await Assert.ThrowsAsync<ImageReferenceException>(() => churning.ResolveAsync($"{app.Images.Name}/refs/churning.png", app.Options.MaxImageBytes, CancellationToken.None));

        Assert.Equal(ImageReferenceFailure.Unavailable, error.Failure);
        Assert.Equal(ImageBlobs.MaxVersionAttempts, reads);
    }

    private OwnStorageImages Resolver() => new(app.Storage, app.Options);

    private string Fill(string template) => template
        .Replace("{account}", app.Storage.Blobs.Uri.ToString().TrimEnd('/'), StringComparison.Ordinal)
        .Replace("{images}", app.Images.Name, StringComparison.Ordinal)
        .Replace("{answers}", app.Answers.Name, StringComparison.Ordinal);
}
