/// The number format a comparison runs every chip in when it must be like for like: the
/// best format (in the order the standard formats prefer) that every chip has natively.
/// When the chips share none, the standard wide format, emulated where a chip lacks it.
public enum LikeForLike {
    /// The serving formats `standardInferenceFormat` chooses from, best first.
    public static func inferenceCandidates(_ model: ModelSpec) -> [NumberFormat] {
        model.isDecoder ? [.fp8, .bf16, .fp16] : [.fp8, .int8, .bf16, .fp16]
    }

    /// The best serving format all `chips` share natively (nominal spec corner).
    public static func inferenceFormat(_ chips: [ChipParameters], model: ModelSpec) -> (format: NumberFormat, emulate: Bool) {
        shared(chips, inferenceCandidates(model))
    }

    /// The best training format all `chips` share natively (BF16, else FP16).
    public static func trainingFormat(_ chips: [ChipParameters]) -> (format: NumberFormat, emulate: Bool) {
        shared(chips, [.bf16, .fp16])
    }

    static func shared(_ chips: [ChipParameters], _ candidates: [NumberFormat]) -> (format: NumberFormat, emulate: Bool) {
        for f in candidates where chips.allSatisfy({ $0.matmulTflops[f] != nil }) { return (f, false) }
        return (.bf16, true)
    }
}
