namespace Llava.Testing.Storage;

/// <summary>
/// Thrown when the storage emulator the tests need does not answer. Storage tests fail with this
/// rather than skipping, so a missing Azurite can never look like a green run.
/// </summary>
public sealed class AzuriteUnavailableException : Exception
{
    public AzuriteUnavailableException()
    {
    }

    public AzuriteUnavailableException(string message)
        : base(message)
    {
    }

    public AzuriteUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
