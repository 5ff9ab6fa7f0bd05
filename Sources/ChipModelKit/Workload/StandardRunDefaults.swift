// The standard runs: the workloads `chipmodel estimate` runs with no arguments and that
// `whatif` and `roadmap` report. Every command reads its defaults from here and help texts
// print them from here.

/// The defaults of the standard runs (the one home for them).
public enum StandardRunDefaults {
    /// Training: the model, sequence length, tokens per optimizer step (the global batch is
    /// this over the sequence length: 4 Mi tokens = 512 sequences of 8192), token budget for
    /// the days figure, cluster size.
    public static let trainingModelID = "llama3-70b"
    public static let trainingSequenceLength = 8192
    public static let trainingTokensPerStep = 4_194_304
    public static let trainingTokenBudget = 15e12
    public static let trainingChips = 1024
    /// The chips `estimate` compares with no `--chip`.
    public static let trainingChipIDs = ["br166", "br20x", "a100-sxm4-80gb", "h100-sxm5-80gb"]

    /// Serving: the model, prompt and generated tokens per request, chips per system.
    public static let inferenceModelID = "llama3-70b"
    public static let inferenceInputTokens = 2048
    public static let inferenceOutputTokens = 256
    public static let inferenceChips = 8
    /// The chips `estimate --inference` compares with no `--chip`.
    public static let inferenceChipIDs = ["br166", "br20x", "a100-sxm4-80gb", "h100-sxm5-80gb", "h20", "ascend-910b"]
    /// MLPerf Llama-2-70B server bounds (p99), the server scenario's defaults.
    public static let serverTTFTBoundMs = 2000.0
    public static let serverTPOTBoundMs = 200.0

    /// The global batch (sequences) of the standard training run at a sequence length.
    public static func trainingGlobalBatch(sequenceLength: Int) -> Int {
        max(1, trainingTokensPerStep / max(1, sequenceLength))
    }
}
