using Llava.ModelBuilder.Checkpoints;

namespace Llava.TinyCheckpoints;

/// <summary>One generated parameter: what to write and how to draw its values.</summary>
internal sealed record TinyParameter(TensorSpec Spec, TinyInitKind Kind)
{
    /// <summary>Product of every dimension after the first (a linear's input width; C*P*P for the patch conv).</summary>
    public long FanIn
    {
        get
        {
            long fanIn = 1;
            for (int i = 1; i < Spec.Shape.Count; i++)
            {
                fanIn *= Spec.Shape[i];
            }

            return fanIn;
        }
    }
}
