namespace Llava.Inference.Images;

/// <summary>The first frame of an animated WebP, repackaged as a still WebP, and where it sits on the canvas.</summary>
internal readonly record struct AnimatedWebPFrame(byte[] StillWebP, int Left, int Top, int Width, int Height, int CanvasWidth, int CanvasHeight);
