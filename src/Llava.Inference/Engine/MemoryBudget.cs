using Llava.Inference.Errors;

namespace Llava.Inference.Engine;

/// <summary>
/// Decides whether one request fits a replica's memory budget, and when it does not, which limit it broke: the
/// largest image (if the request would fit with its images decoding for free), else the prompt length (if it would
/// fit with only its image tokens), else the request as a whole. The maximum reported is the largest value of that
/// limit that would fit, everything else about the request unchanged.
/// </summary>
public sealed class MemoryBudget
{
    private readonly RequestMemoryEstimator _estimator;

    public MemoryBudget(RequestMemoryEstimator estimator, long budgetBytes)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetBytes, 1);
        _estimator = estimator;
        BudgetBytes = budgetBytes;
    }

    public long BudgetBytes { get; }

    public RequestMemoryEstimator Estimator => _estimator;

    /// <summary>The request's estimated peak bytes, or <see cref="RequestOverBudgetException"/> when it exceeds the budget.</summary>
    public long Admit(RequestShape shape)
    {
        long total = _estimator.Estimate(shape).Total;
        if (total <= BudgetBytes)
        {
            return total;
        }

        if (shape.LargestImagePixels > 0 && Fits(shape with { LargestImagePixels = 0, LargestIntermediatePixels = 0 }))
        {
            long most = LargestFitting(0, shape.LargestImagePixels, p => shape with { LargestImagePixels = p, LargestIntermediatePixels = Math.Min(p, shape.LargestIntermediatePixels) });
            throw new RequestOverBudgetException(
                RequestLimit.ImagePixels,
                shape.LargestImagePixels,
                most,
                $"An image of {shape.LargestImagePixels} pixels needs about {Mib(total)} MiB to decode and prepare; this server's memory budget of {Mib(BudgetBytes)} MiB allows images of up to {most} pixels in this request. Send a smaller image.");
        }

        int fewest = shape.ImageTokens + 1;
        if (shape.PromptTokens > fewest && Fits(shape with { PromptTokens = fewest }))
        {
            int most = (int)LargestFitting(fewest, shape.PromptTokens, t => shape with { PromptTokens = (int)t });
            throw new RequestOverBudgetException(
                RequestLimit.PromptTokens,
                shape.PromptTokens,
                most,
                $"The prompt has {shape.PromptTokens} tokens ({shape.ImageTokens} of them image tokens) and needs about {Mib(total)} MiB; this server's memory budget of {Mib(BudgetBytes)} MiB allows {most} prompt tokens with these images. Use a shorter prompt or fewer images.");
        }

        throw new RequestOverBudgetException(
            RequestLimit.MemoryBytes,
            total,
            BudgetBytes,
            $"The request needs about {Mib(total)} MiB ({shape.Tiles} image tiles, {shape.PromptTokens} prompt tokens, up to {shape.MaxNewTokens} new tokens); this server's memory budget is {Mib(BudgetBytes)} MiB. Use fewer or smaller images, a shorter prompt or fewer new tokens.");
    }

    private bool Fits(RequestShape shape) => _estimator.Estimate(shape).Total <= BudgetBytes;

    /// <summary>The largest value in [low, high) whose shape fits, given that <paramref name="low"/> fits and <paramref name="high"/> does not (the estimate grows with the value).</summary>
    private long LargestFitting(long low, long high, Func<long, RequestShape> shapeOf)
    {
        while (high - low > 1)
        {
            long middle = low + ((high - low) / 2);
            if (Fits(shapeOf(middle)))
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static long Mib(long bytes) => (bytes + (1024 * 1024) - 1) / (1024 * 1024);
}
