namespace Llava.Inference.Errors;

/// <summary>
/// One generation parameter is out of range or malformed (NaN, above the vocabulary, an unparsable schema). The
/// parameter is named in <see cref="ArgumentException.ParamName"/> with its wire name (one of
/// <see cref="Generation.GenerationParameterNames"/>), so every surface can point at the field. It is an
/// <see cref="ArgumentException"/> so callers that validated options before keep catching it.
/// </summary>
public sealed class InvalidParameterException : ArgumentException
{
    public InvalidParameterException(string parameter, string message)
        : base(message, parameter)
    {
    }

    public InvalidParameterException(string parameter, string message, Exception innerException)
        : base(message, parameter, innerException)
    {
    }

    public InvalidParameterException()
    {
    }

    public InvalidParameterException(string message)
        : base(message)
    {
    }

    public InvalidParameterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The parameter's wire name (empty when none was given).</summary>
    public string Parameter => ParamName ?? "";

    /// <summary>The message alone: the parameter is a property, not a "(Parameter 'x')" suffix.</summary>
    public override string Message => ParamName is null ? base.Message : base.Message.Replace($" (Parameter '{ParamName}')", "", StringComparison.Ordinal);
}
