namespace LlavaFunctions.Failures;

/// <summary>What a trigger does with a failure (see <see cref="FailureClassifier"/>).</summary>
public enum FailureKind
{
    /// <summary>The input can never succeed (a bad image, parameter or prompt): write a failed document and complete.</summary>
    Permanent,

    /// <summary>The world may change (model loading, storage down, engine busy): throw so the host redelivers.</summary>
    Transient,

    /// <summary>Not a failure we know (a bug): redeliver too, and record the failure on the last delivery.</summary>
    Unknown,
}
