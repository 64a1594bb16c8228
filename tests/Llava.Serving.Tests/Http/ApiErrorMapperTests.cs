using System.Text.Json;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;

namespace Llava.Serving.Tests.Http;

public sealed class ApiErrorMapperTests
{
    [Theory]
    [InlineData(RequestLimit.Images, 400, ApiErrorCodes.TooManyImages)]
    [InlineData(RequestLimit.PromptTokens, 400, ApiErrorCodes.PromptTooLong)]
    [InlineData(RequestLimit.ImagePixels, 413, ApiErrorCodes.RequestOverBudget)]
    [InlineData(RequestLimit.MemoryBytes, 413, ApiErrorCodes.RequestOverBudget)]
    public void A_request_over_a_limit_names_the_limit_its_value_and_the_maximum(string limit, int status, string code)
    {
        ApiError error = ApiErrorMapper.Map(new RequestOverBudgetException(limit, 9, 4, "Over."));

        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Equal(limit, error.Param);
        using JsonDocument problem = JsonDocument.Parse(ApiErrorMapper.ProblemJson(error));
        Assert.Equal(limit, problem.RootElement.GetProperty("param").GetString());
        Assert.Equal(9, problem.RootElement.GetProperty("value").GetInt64());
        Assert.Equal(4, problem.RootElement.GetProperty("maximum").GetInt64());
    }

    [Fact]
    public void An_invalid_parameter_is_a_400_whose_param_names_the_field_in_both_envelopes()
    {
        ApiError error = ApiErrorMapper.Map(new InvalidParameterException(GenerationParameterNames.TopK, "top_k must be at most 32064; got 99999."));

        Assert.Equal(400, error.Status);
        Assert.Equal(ApiErrorCodes.InvalidRequest, error.Code);
        Assert.Equal("top_k must be at most 32064; got 99999.", error.Detail);
        using JsonDocument openAi = JsonDocument.Parse(ApiErrorMapper.OpenAiErrorJson(error));
        Assert.Equal("top_k", openAi.RootElement.GetProperty("error").GetProperty("param").GetString());
        using JsonDocument problem = JsonDocument.Parse(ApiErrorMapper.ProblemJson(error));
        Assert.Equal("top_k", problem.RootElement.GetProperty("param").GetString());
    }

    [Fact]
    public void An_error_without_a_field_has_a_null_param()
    {
        ApiError error = ApiErrorMapper.Map(new InvalidPromptException("No user message."));

        using JsonDocument openAi = JsonDocument.Parse(ApiErrorMapper.OpenAiErrorJson(error));
        Assert.Equal(JsonValueKind.Null, openAi.RootElement.GetProperty("error").GetProperty("param").ValueKind);
        using JsonDocument problem = JsonDocument.Parse(ApiErrorMapper.ProblemJson(error));
        Assert.False(problem.RootElement.TryGetProperty("param", out _));
    }
}
