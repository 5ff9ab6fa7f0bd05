@testable import ChipModelKit

/// Test doubles for `CaseEstimating`. They never stand in for the real estimators' numbers:
/// `ComputeBoundEstimator` is a textbook bound from the chip's spec, `ScaledMeasurementEstimator`
/// exists only to give the statistics hand-computable errors.

/// Compute-bound estimate: training step = 3 x forward model FLOPs / (chips x matrix peak x
/// `efficiency`); inference throughput = chips x peak x efficiency / forward FLOPs per token.
/// Throws for metrics it does not model (so the failure path is exercised too).
struct ComputeBoundEstimator: CaseEstimating {
    var efficiency: Double

    func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
        let chip = ChipParameters(chip: try catalog.chip(c.chip))
        let (format, peakTflops) = try chip.matmulPeak(c.precision, emulate: true)
        let model = try c.resolveModel(in: zoo)
        guard model.isDecoder else { throw TestDoubleError("compute-bound double models decoder transformers only") }
        let systemFlops = Double(c.chipCount) * peakTflops * 1e12 * efficiency
        let value: Double
        var lines = ["peak \(peakTflops) TFLOP/s (\(format.rawValue)) x \(c.chipCount) chips x efficiency \(efficiency)"]
        switch c.metric {
        case .stepTimeSeconds, .tokensPerSecondPerChip:
            let seq = c.sequenceLength ?? 1, tokens = Double(seq) * Double(c.globalBatch ?? 1)
            let stepFlops = 3 * model.forwardFlopsPerToken(sequence: seq) * tokens
            let seconds = stepFlops / systemFlops
            lines.append("step FLOPs \(stepFlops)")
            value = c.metric == .stepTimeSeconds ? seconds : tokens / seconds / Double(c.chipCount)
        case .tokensPerSecond:
            let perToken = model.forwardFlopsPerToken(sequence: (c.inputTokens ?? 0) + (c.outputTokens ?? 0))
            value = systemFlops / perToken
        default:
            throw TestDoubleError("compute-bound double does not model \(c.metric.rawValue)")
        }
        return CaseEstimate(value: value, plan: [("tp", .number(1)), ("recompute", .string("none"))],
                            explanation: lines, usesEstimatedSpecs: chip.usesEstimates)
    }
}

/// Returns measured x (1 + errors[id]); throws for ids it has no error for.
struct ScaledMeasurementEstimator: CaseEstimating {
    var errors: [String: Double]

    func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
        guard let e = errors[c.id] else { throw TestDoubleError("plan does not fit in memory") }
        return CaseEstimate(value: c.measured * (1 + e), plan: [("tp", .number(8))], explanation: ["scaled"],
                            usesEstimatedSpecs: false)
    }
}

struct TestDoubleError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A training case on a built-in chip with the given id, weight and chip.
func trainingCaseJSON(_ id: String, weight: Double, chip: String = "a100-sxm4-80gb", measured: Double = 10) -> String {
    """
    {"id": "\(id)", "source": "test", "weight": \(weight),
     "system": {"chip": "\(chip)", "count": 8},
     "workload": {"kind": "training", "model": "gpt3-175b", "precision": "bf16", "sequenceLength": 2048, "globalBatch": 8},
     "measured": {"metric": "stepTimeSeconds", "value": \(measured)}}
    """
}

func inferenceCaseJSON(_ id: String, weight: Double) -> String {
    """
    {"id": "\(id)", "source": "test", "weight": \(weight),
     "system": {"chip": "h100-sxm5-80gb", "count": 8},
     "workload": {"kind": "inference", "model": "llama2-70b", "precision": "fp8", "scenario": "offline",
                  "inputTokens": 128, "outputTokens": 128},
     "measured": {"metric": "tokensPerSecond", "value": 1000}}
    """
}

func decodeCases(_ items: [String]) throws -> [MeasurementCase] {
    try CaseDecoder.decode(bytes: Array(("[" + items.joined(separator: ",") + "]").utf8), file: "test.json").get()
}
