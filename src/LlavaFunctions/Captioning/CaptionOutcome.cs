namespace LlavaFunctions.Captioning;

/// <summary>What one delivery of an upload event did.</summary>
public enum CaptionOutcome
{
    /// <summary>A caption document was written.</summary>
    Captioned,

    /// <summary>The image can never be captioned; an error document was written and the event is done.</summary>
    Rejected,

    /// <summary>This version (ETag) of the blob already has its document: a redelivery.</summary>
    AlreadyDone,

    /// <summary>The blob is gone (deleted after upload).</summary>
    SourceMissing,
}
