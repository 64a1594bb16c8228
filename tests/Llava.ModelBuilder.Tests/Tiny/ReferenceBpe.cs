namespace Llava.ModelBuilder.Tests.Tiny;

/// <summary>
/// A plain BPE encoder (lowest-rank pair first, as Hugging Face tokenizers does) with byte fallback, for checking
/// what our tokenizer.json produces without a tokenizer library. Input is already normalized (spaces as ▁).
/// </summary>
internal sealed class ReferenceBpe(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<string> merges)
{
    private readonly Dictionary<(string, string), int> _ranks = merges
        .Select((m, rank) => (Parts: m.Split(' '), rank))
        .ToDictionary(m => (m.Parts[0], m.Parts[1]), m => m.rank);

    public List<string> Encode(string normalized)
    {
        List<string> symbols = [.. normalized.EnumerateRunes().Select(r => r.ToString())];
        while (true)
        {
            int best = -1;
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out int rank) && rank < bestRank)
                {
                    best = i;
                    bestRank = rank;
                }
            }

            if (best < 0)
            {
                break;
            }

            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }

        List<string> pieces = [];
        foreach (string symbol in symbols)
        {
            if (vocab.ContainsKey(symbol))
            {
                pieces.Add(symbol);
            }
            else
            {
                pieces.AddRange(System.Text.Encoding.UTF8.GetBytes(symbol).Select(b => $"<0x{b:X2}>"));
            }
        }

        return pieces;
    }
}
