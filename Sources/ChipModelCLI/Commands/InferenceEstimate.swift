import ChipModelKit

/// Options only `estimate --inference` takes (owned by the inference estimator).
public let inferenceOptions: [OptionSpec] = [
    .flag("--inference", "Estimate inference serving instead of training."),
]

/// `chipmodel estimate --inference ...`
func runInferenceEstimate(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    throw RunError("'estimate --inference' is not implemented yet")
}
