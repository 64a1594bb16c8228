namespace Llava.Testing.HostileImages;

/// <summary>One crafted input of the hostile-image corpus and the outcome the image loader must give it.</summary>
/// <param name="File">File name under <c>tests/fixtures/hostile-images/</c>.</param>
/// <param name="Class">What the file exercises (a family such as <c>png-text-bomb</c> or <c>truncated-jpeg</c>).</param>
/// <param name="Expect">One of the <see cref="HostileImageOutcome"/> names.</param>
/// <param name="Bytes">The file's content.</param>
public sealed record HostileImage(string File, string Class, string Expect, byte[] Bytes);
