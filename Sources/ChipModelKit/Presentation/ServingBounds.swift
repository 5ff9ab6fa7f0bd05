/// A latency bound a serving estimate honoured, for charts and captions: "p99 TPOT bound 200 ms".
public struct ServingBoundInForce: Sendable, Equatable {
    public enum Quantity: String, Sendable {
        case ttft = "TTFT", tpot = "TPOT", latency = "latency"
    }

    public var quantity: Quantity
    public var ms: Double
    /// "p99" in the server scenario (the queue simulation's percentile); nil where the bound
    /// applies to the batch sweep's mean step (offline and single-stream with --ttft-ms/--tpot-ms).
    public var percentile: String?

    public init(_ quantity: Quantity, ms: Double, percentile: String? = nil) {
        self.quantity = quantity
        self.ms = ms
        self.percentile = percentile
    }

    public var label: String { (percentile.map { $0 + " " } ?? "") + "\(quantity.rawValue) bound \(formatQuantity(ms)) ms" }

    /// The bounds the estimators apply to `run` (the same defaults they use): a decoder LLM in
    /// the server scenario keeps p99 TTFT and TPOT within --ttft-ms / --tpot-ms (default
    /// the model's MLPerf rule, else `StandardRunDefaults.serverTTFTBoundMs`/`serverTPOTBoundMs`:
    /// `InferenceRun.serverBoundsMs`; decode-only runs have no
    /// TTFT), elsewhere only the bounds the user gave; an encoder or CNN in the server scenario
    /// keeps its p99 batch latency within --ttft-ms (else --tpot-ms, else the MLPerf bound of
    /// `EncoderVisionEstimator.serverBoundMs`), and has none offline. A prefill-only run charts no sweep.
    public static func inForce(_ run: InferenceRun) -> [ServingBoundInForce] {
        if run.phase == .prefill { return [] }
        let server = run.scenario == .server
        if !run.model.isDecoder {
            guard server else { return [] }
            let ms = run.ttftBoundMs ?? run.tpotBoundMs ?? EncoderVisionEstimator.serverBoundMs(run.model.architecture)
            return [ServingBoundInForce(.latency, ms: ms, percentile: "p99")]
        }
        var out: [ServingBoundInForce] = []
        let p = server ? "p99" : nil
        let defaults = run.serverBoundsMs
        if let t = defaults?.tpotMs ?? run.tpotBoundMs { out.append(.init(.tpot, ms: t, percentile: p)) }
        if run.phase != .decode, let t = defaults?.ttftMs ?? run.ttftBoundMs {
            out.append(.init(.ttft, ms: t, percentile: p))
        }
        return out
    }
}
