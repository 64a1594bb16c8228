using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Llava.Serving.Tests.Infrastructure;

/// <summary>Request bodies and response checks the tests share.</summary>
internal static class Requests
{
    public static MultipartFormDataContent Multipart(byte[] image, string question, params (string Name, string Value)[] fields)
    {
        MultipartFormDataContent form = new();
        ByteArrayContent file = new(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "image.png");
        form.Add(new StringContent(question), "question");
        foreach ((string name, string value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        return form;
    }

    public static JsonContent Json(JsonObject body) => JsonContent.Create(body);

    public static HttpRequestMessage Streamed(string path, HttpContent content)
    {
        HttpRequestMessage request = new(HttpMethod.Post, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    /// <summary>Asserts a problem document with the status and code, and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.StartsWith("urn:llava:problem:", problem.GetProperty("type").GetString());
        return problem;
    }

    /// <summary>Asserts a Retry-After header of at least one whole second, and returns it.</summary>
    public static TimeSpan AssertRetryAfter(HttpResponseMessage response)
    {
        Assert.True(response.Headers.RetryAfter?.Delta is not null, $"no Retry-After on {(int)response.StatusCode}");
        TimeSpan wait = response.Headers.RetryAfter!.Delta!.Value;
        Assert.True(wait >= TimeSpan.FromSeconds(1), $"Retry-After {wait}");
        return wait;
    }
}
