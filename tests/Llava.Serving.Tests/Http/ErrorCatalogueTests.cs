using System.Reflection;
using System.Text.RegularExpressions;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Images;
using Llava.Serving.Hosting;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Requests;
using Llava.Testing;

namespace Llava.Serving.Tests.Http;

/// <summary>Each error code is declared once with one status, every exception type maps to a code of the catalogue, and the docs list each code once.</summary>
public sealed partial class ErrorCatalogueTests
{
    /// <summary>Every exception the engine, the model host, the resolvers and the HTTP layer raise, and the code each becomes.</summary>
    private static readonly (Exception Failure, string Code)[] s_failures =
    [
        (new HttpApiException(ApiErrorCodes.ModelNotFound, "No such model."), ApiErrorCodes.ModelNotFound),
        (new ImageRejectedException(ImageRejectionReason.TooLarge, "x"), ApiErrorCodes.ImageTooLarge),
        (new ImageRejectedException(ImageRejectionReason.Unsupported, "x"), ApiErrorCodes.UnsupportedImage),
        (new ImageRejectedException(ImageRejectionReason.Corrupt, "x"), ApiErrorCodes.InvalidImage),
        (new ImageRejectedException(ImageRejectionReason.Empty, "x"), ApiErrorCodes.EmptyImage),
        (new PromptTooLongException(4000, 2928, 200, 4096), ApiErrorCodes.PromptTooLong),
        (new RequestOverBudgetException(RequestLimit.Images, 9, 4, "x"), ApiErrorCodes.TooManyImages),
        (new RequestOverBudgetException(RequestLimit.PromptTokens, 9, 4, "x"), ApiErrorCodes.PromptTooLong),
        (new RequestOverBudgetException(RequestLimit.ImagePixels, 9, 4, "x"), ApiErrorCodes.RequestOverBudget),
        (new RequestOverBudgetException(RequestLimit.MemoryBytes, 9, 4, "x"), ApiErrorCodes.RequestOverBudget),
        (new InvalidParameterException("top_k", "x"), ApiErrorCodes.InvalidRequest),
        (new InvalidPromptException("x"), ApiErrorCodes.InvalidRequest),
        (new EngineBusyException(TimeSpan.FromSeconds(1), "x"), ApiErrorCodes.EngineBusy),
        (new ModelLoadException("x"), ApiErrorCodes.ModelFailed),
        (new ModelNotReadyException(ModelState.Loading, "x", TimeSpan.FromSeconds(1)), ApiErrorCodes.ModelLoading),
        (new ModelNotReadyException(ModelState.Failed, "x", TimeSpan.FromSeconds(1)), ApiErrorCodes.ModelFailed),
        (new ImageReferenceException(ImageReferenceFailure.NotAllowed, "x"), ApiErrorCodes.ImageReferenceRefused),
        (new ImageReferenceException(ImageReferenceFailure.NotFound, "x"), ApiErrorCodes.ImageReferenceNotFound),
        (new ImageReferenceException(ImageReferenceFailure.TooLarge, "x"), ApiErrorCodes.ImageTooLarge),
        (new ImageReferenceException(ImageReferenceFailure.Unavailable, "x"), ApiErrorCodes.ImageReferenceUnavailable),
    ];

    [Fact]
    public void Every_code_is_declared_once_with_one_status()
    {
        FieldInfo[] declared = [.. typeof(ApiErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)];
        string[] codes = [.. declared.Select(f => (string)f.GetRawConstantValue()!)];

        Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(codes, ApiErrorCatalogue.All.Select(entry => entry.Code));
        Assert.All(ApiErrorCatalogue.All, entry =>
        {
            Assert.Matches(SnakeCase(), entry.Code);
            Assert.InRange(entry.Status, 400, 599);
            Assert.False(string.IsNullOrWhiteSpace(entry.Title));
        });
    }

    [Fact]
    public void Each_exception_maps_to_its_code_with_the_catalogue_s_status()
    {
        Assert.All(s_failures, row =>
        {
            ApiError error = ApiErrorMapper.Map(row.Failure);

            Assert.Equal(row.Code, error.Code);
            Assert.Equal(ApiErrorCatalogue.Get(row.Code).Status, error.Status);
            Assert.Equal(ApiErrorCatalogue.Get(row.Code).Title, error.Title);
        });
    }

    [Fact]
    public void Every_exception_type_of_the_engine_and_the_serving_layer_is_mapped_to_a_code()
    {
        Type[] thrown = [.. new[] { typeof(LlavaEngine).Assembly, typeof(ApiErrorMapper).Assembly }
            .SelectMany(assembly => assembly.GetExportedTypes())
            .Where(type => typeof(Exception).IsAssignableFrom(type) && !type.IsAbstract)
            .OrderBy(type => type.FullName, StringComparer.Ordinal)];
        Type[] mapped = [.. s_failures.Select(row => row.Failure.GetType()).Distinct().OrderBy(type => type.FullName, StringComparer.Ordinal)];

        // A new exception type must get its code in ApiErrorMapper and a row in s_failures.
        Assert.Equal(thrown, mapped);
    }

    [Fact]
    public void An_unknown_failure_is_an_internal_error_that_hides_its_message()
    {
        ApiError error = ApiErrorMapper.Map(new InvalidOperationException("secret"));

        Assert.Equal(ApiErrorCodes.InternalError, error.Code);
        Assert.Equal(500, error.Status);
        Assert.DoesNotContain("secret", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_code_outside_the_catalogue_cannot_become_an_error()
    {
        Assert.Throws<ArgumentException>(() => new ApiError("image_rejected", "x"));
        Assert.Throws<ArgumentException>(() => new HttpApiException("invalid_prompt", "x"));
        Assert.Throws<ArgumentException>(() => new ApiError(ApiErrorCodes.InvalidRequest, "x") with { Code = "unreadable" });
    }

    [Fact]
    public void An_error_s_status_is_always_its_code_s()
    {
        ApiError error = new ApiError(ApiErrorCodes.InvalidRequest, "x") with { Code = ApiErrorCodes.EngineBusy };

        Assert.Equal(503, error.Status);
        Assert.Equal(ApiErrorCatalogue.Get(ApiErrorCodes.EngineBusy).Title, error.Title);
    }

    [Fact]
    public void The_docs_list_every_code_once_in_one_table_with_its_status()
    {
        string catalogue = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "vocabulary.md"));
        List<(string Code, int Status)> rows = [.. CatalogueRow().Matches(catalogue).Select(m => (m.Groups["code"].Value, int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture)))];

        Assert.Equal(ApiErrorCatalogue.All.Select(e => (e.Code, e.Status)).Order(), rows.Order());
        string[] codes = [.. ApiErrorCatalogue.All.Select(e => e.Code)];
        foreach (string page in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Append(Path.Combine(RepositoryPaths.Root, "README.md")))
        {
            if (Path.GetFileName(page) == "vocabulary.md")
            {
                continue;
            }

            // Other pages name codes in prose and link to the catalogue; none keeps a table of its own.
            Assert.DoesNotContain(File.ReadAllLines(page), line => OtherTableRow().Match(line) is { Success: true } m && codes.Contains(m.Groups["code"].Value));
        }
    }

    [GeneratedRegex("^[a-z]+(_[a-z]+)*$")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"^\| `(?<code>[a-z_]+)` \| (?<status>\d{3}) \|", RegexOptions.Multiline)]
    private static partial Regex CatalogueRow();

    [GeneratedRegex(@"^\|\s*(\d{3}\s*\|\s*)?`(?<code>[a-z_]+)`\s*\|")]
    private static partial Regex OtherTableRow();
}
