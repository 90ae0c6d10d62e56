/// The check behind ``Precision/automatic``: a model keeps a reduced precision (int8 or bf16) only
/// when, for each of a few texts of the kinds Flow scores (labels, hashtags, tweets, movie
/// overviews, short and long), its embedding points where the fp32 one does, to
/// ``minimumCosine``. A model whose activations round badly (very large or finely balanced
/// values) is kept in a more exact precision instead.
public enum PrecisionProbe {
    /// The least cosine similarity between a text's reduced-precision and fp32 embeddings that
    /// keeps the reduced precision.
    public static let minimumCosine: Float = 0.999

    static let texts = [
        "christmas",
        "science fiction",
        "#MerryChristmas to everyone at the shelter tonight 🎄 donations still welcome!",
        "Anyone else watching the match? That second goal was unreal #WorldCup #football",
        "A retired detective is pulled back into one last case when a string of murders in a small coastal town mirrors the crime that ended his career.",
        """
        In the near future, a weary crew aboard a mining ship answers a distress signal from a moon at the edge of the \
        system. What they find in the wreck of a research station is a colony of creatures that learn from every \
        attempt to destroy them, and an artificial intelligence that may have been protecting them all along. As \
        oxygen runs low and the company that owns the ship refuses to send help, the survivors must decide whether \
        to trust the machine, each other, or the strange signals coming from beneath the ice.
        """,
        "Ein Mädchen und ihr Hund reisen durch die Berge, um ihre Familie zu finden.",
        "12 Angry Men (1957): twelve jurors, one verdict, 96 minutes in a hot room.",
    ]

    /// Whether `reduced` (bf16 or int8) embeds every probe text within ``minimumCosine`` of `exact` (fp32).
    public static func agrees(_ exact: BertModel, _ reduced: BertModel) -> Bool {
        worstCosine(exact, reduced) >= minimumCosine
    }

    /// The least cosine similarity over the probe texts between the two models' embeddings.
    public static func worstCosine(_ exact: BertModel, _ reduced: BertModel) -> Float {
        let expected = SentenceEmbedder(encoder: BertEncoder(model: exact)).embed(texts)
        let found = SentenceEmbedder(encoder: BertEncoder(model: reduced)).embed(texts)
        return zip(expected, found).map { cosine($0, $1) }.min() ?? 1
    }

    /// The cosine similarity of two vectors, summed in double precision.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot = 0.0, normA = 0.0, normB = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            normA += Double(x) * Double(x)
            normB += Double(y) * Double(y)
        }
        return normA > 0 && normB > 0 ? Float(dot / (normA * normB).squareRoot()) : 0
    }
}
