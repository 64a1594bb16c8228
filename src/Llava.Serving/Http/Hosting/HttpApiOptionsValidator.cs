using Microsoft.Extensions.Options;

namespace Llava.Serving.Http.Hosting;

/// <summary>Runs <see cref="HttpApiOptions.Validate"/> for the options system (with <c>ValidateOnStart</c>).</summary>
public sealed class HttpApiOptionsValidator : IValidateOptions<HttpApiOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
