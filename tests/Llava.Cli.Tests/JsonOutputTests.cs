using System.Text.Json;
using Llava.Cli.Running;
using Llava.Serving.Http.Errors;
using Llava.Testing.Contract;

namespace Llava.Cli.Tests;

/// <summary><c>--json</c> speaks the one vocabulary: the result contract's names and the error catalogue's codes, and exit codes follow the catalogue.</summary>
public sealed class JsonOutputTests
{
    [Fact]
    public void A_json_answer_renders_the_result_contract()
    {
        string line = JsonOutput.Answer("cat.jpg", "llava-1.5", randomWeights: false, ResultContract.Sample);

        ResultContract.AssertRendersSample(line);
        using JsonDocument json = JsonDocument.Parse(line);
        Assert.Equal(["image", "model", "answer", "finishReason", "usage", "timings"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("llava-1.5", json.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Token_ids_and_random_weights_are_camel_case_fields_beside_the_contract()
    {
        string line = JsonOutput.Answer("cat.jpg", "llava-1.5", randomWeights: true, ResultContract.Sample, promptIds: [1, 32000, 22]);

        ResultContract.AssertRendersSample(line);
        using JsonDocument json = JsonDocument.Parse(line);
        Assert.Equal([1, 32000, 22], json.RootElement.GetProperty("promptIds").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(ResultContract.Sample.TokenIds, json.RootElement.GetProperty("generatedIds").EnumerateArray().Select(v => v.GetInt32()));
        Assert.True(json.RootElement.GetProperty("randomWeights").GetBoolean());
    }

    [Fact]
    public void A_refusal_is_the_catalogue_s_code_and_message_in_the_answer_s_place()
    {
        string line = JsonOutput.Error("scan.tiff", new ApiError(ApiErrorCodes.UnsupportedImage, "TIFF images are not supported."));

        Assert.Equal("""{"image":"scan.tiff","error":{"code":"unsupported_image","message":"TIFF images are not supported."}}""", line);
    }

    [Theory]
    [InlineData(ApiErrorCodes.InvalidImage, ExitCodes.InvalidInput)]
    [InlineData(ApiErrorCodes.ImageTooLarge, ExitCodes.InvalidInput)]
    [InlineData(ApiErrorCodes.RequestOverBudget, ExitCodes.InvalidInput)]
    [InlineData(ApiErrorCodes.ImageReferenceNotFound, ExitCodes.InvalidInput)]
    [InlineData(ApiErrorCodes.ModelLoading, ExitCodes.ModelUnavailable)]
    [InlineData(ApiErrorCodes.ModelFailed, ExitCodes.ModelUnavailable)]
    [InlineData(ApiErrorCodes.EngineBusy, ExitCodes.Failure)]
    [InlineData(ApiErrorCodes.InternalError, ExitCodes.Failure)]
    public void The_exit_code_of_an_error_follows_its_catalogue_status(string code, int exitCode)
    {
        Assert.Equal(exitCode, ExitCodes.For(new ApiError(code, "Refused.")));
    }

    [Fact]
    public void Every_code_of_the_catalogue_has_a_documented_exit_code()
    {
        Assert.All(ApiErrorCatalogue.All, entry => Assert.Contains(ExitCodes.For(new ApiError(entry.Code, "x")), new[] { ExitCodes.Failure, ExitCodes.InvalidInput, ExitCodes.ModelUnavailable }));
    }
}
