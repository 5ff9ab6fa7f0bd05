/// Latency bounds a serving result must meet at a percentile over its queries: a per-query
/// latency (CNN/BERT server), or TTFT and TPOT (LLM server/interactive; LoadGen checks the
/// p99 of each, loadgen/results.cc `PerfConstraintsMet`).
public struct ServingLatencyBounds: Sendable, Equatable {
    /// One of 0.5, 0.9, 0.99 (the percentiles `LatencySummary` keeps).
    public var percentile: Double
    public var latencySeconds: Double?
    public var ttftSeconds: Double?
    public var tpotSeconds: Double?
    /// The run must also keep up: `ServingSimulationResult.sustainedFraction` at least this
    /// (a queue that grows without bound fails even if a finite run's percentiles still pass;
    /// MLPerf catches it with 600 s runs, a short simulation with this check).
    public var minimumSustainedFraction: Double

    public init(percentile: Double = 0.99, latencySeconds: Double? = nil, ttftSeconds: Double? = nil, tpotSeconds: Double? = nil,
                minimumSustainedFraction: Double = 0.99) {
        self.minimumSustainedFraction = minimumSustainedFraction
        self.percentile = percentile
        self.latencySeconds = latencySeconds
        self.ttftSeconds = ttftSeconds
        self.tpotSeconds = tpotSeconds
    }

    func validate() throws {
        guard [0.5, 0.9, 0.99].contains(percentile) else {
            throw ServingInputError("latency bound percentile must be 0.5, 0.9 or 0.99 (got \(percentile))")
        }
        for (name, v) in [("latency", latencySeconds), ("ttft", ttftSeconds), ("tpot", tpotSeconds)] {
            if let v, !(v.isFinite && v > 0) { throw ServingInputError("\(name) bound must be a finite number of seconds > 0 (got \(v))") }
        }
        guard minimumSustainedFraction.isFinite, minimumSustainedFraction >= 0, minimumSustainedFraction <= 1 else {
            throw ServingInputError("minimumSustainedFraction must be in 0...1 (got \(minimumSustainedFraction))")
        }
        guard latencySeconds != nil || ttftSeconds != nil || tpotSeconds != nil else {
            throw ServingInputError("latency bounds name no bound (latency, ttft or tpot)")
        }
    }

    static func at(_ s: LatencySummary, _ p: Double) -> Double {
        p == 0.5 ? s.p50Seconds : (p == 0.9 ? s.p90Seconds : s.p99Seconds)
    }

    /// What `r` breaks: "p99 TTFT 2300 ms > 2000 ms", "falls behind (departures 0.93 of
    /// arrivals)", or nil when every bound holds.
    public func violation(_ r: ServingSimulationResult) -> String? {
        let p = Int((percentile * 100).rounded())
        var out: [String] = []
        if !(r.sustainedFraction >= minimumSustainedFraction) {
            out.append("falls behind (backlog +\(r.backlogGrowth) requests over the window)")
        }
        if let b = latencySeconds, !(Self.at(r.latency, percentile) <= b) {
            out.append("p\(p) latency \(formatQuantity(Self.at(r.latency, percentile) * 1e3)) ms > \(formatQuantity(b * 1e3)) ms")
        }
        if let b = ttftSeconds, !(Self.at(r.ttft, percentile) <= b) {
            out.append("p\(p) TTFT \(formatQuantity(Self.at(r.ttft, percentile) * 1e3)) ms > \(formatQuantity(b * 1e3)) ms")
        }
        if let b = tpotSeconds, r.tpot.count > 0, !(Self.at(r.tpot, percentile) <= b) {
            out.append("p\(p) TPOT \(formatQuantity(Self.at(r.tpot, percentile) * 1e3)) ms > \(formatQuantity(b * 1e3)) ms")
        }
        return out.isEmpty ? nil : out.joined(separator: ", ")
    }

    /// True when every given bound holds at the percentile (a NaN statistic fails).
    public func isMet(by r: ServingSimulationResult) -> Bool {
        if !(r.sustainedFraction >= minimumSustainedFraction) { return false }
        if let b = latencySeconds, !(Self.at(r.latency, percentile) <= b) { return false }
        if let b = ttftSeconds, !(Self.at(r.ttft, percentile) <= b) { return false }
        if let b = tpotSeconds, r.tpot.count > 0, !(Self.at(r.tpot, percentile) <= b) { return false }
        return true
    }
}

/// One MLPerf Inference (datacenter) server or interactive scenario rule, as data.
///
/// Sources: mlcommons/inference `loadgen/mlperf.conf` (HEAD of the stored snapshot:
/// `*.Server.target_latency_percentile = 99`, `*.Server.min_duration = 600000`,
/// `resnet50.Server.target_latency = 15`, `bert.Server.target_latency = 130`, and the
/// `<model>.Server.ttft_latency / tpot_latency` lines) and mlcommons/inference_policies
/// `inference_rules.adoc` (Scenarios table: Poisson query generation, 600 s, 99% tail; the
/// minimum-query table: 99%/99%/0.05% → 270,336 = 33·2^13, the server minimum of the v2.1
/// round, as the BR104 logs show `min_query_count : 270336`). "interactive" is the
/// Server scenario of the `-interactive` benchmark variant (tighter bounds).
public struct MLPerfServerRule: Sendable, Equatable {
    public var benchmark: String
    public var scenario: String
    public var bounds: ServingLatencyBounds
    public var minDurationSeconds: Double
    /// Queries the round required without early stopping (270,336 in v2.1; later rounds
    /// accept fewer with the early-stopping percentile penalty).
    public var minQueryCount: Int
    public var source: String

    public init(benchmark: String, scenario: String, bounds: ServingLatencyBounds, minDurationSeconds: Double = 600,
                minQueryCount: Int = 270_336, source: String) {
        self.benchmark = benchmark
        self.scenario = scenario
        self.bounds = bounds
        self.minDurationSeconds = minDurationSeconds
        self.minQueryCount = minQueryCount
        self.source = source
    }
}

public enum MLPerfServerRules {
    static let conf = "mlcommons/inference loadgen/mlperf.conf; inference_policies inference_rules.adoc"

    static func latency(_ id: String, _ ms: Double) -> MLPerfServerRule {
        MLPerfServerRule(benchmark: id, scenario: "server", bounds: ServingLatencyBounds(latencySeconds: ms / 1e3),
                         source: "\(conf): \(id).Server.target_latency = \(Int(ms)) ms, p99")
    }

    static func tokens(_ id: String, _ scenario: String, ttftMs: Double, tpotMs: Double) -> MLPerfServerRule {
        let key = scenario == "interactive" ? "\(id)-interactive" : id
        return MLPerfServerRule(benchmark: id, scenario: scenario,
                                bounds: ServingLatencyBounds(ttftSeconds: ttftMs / 1e3, tpotSeconds: tpotMs / 1e3),
                                source: "\(conf): \(key).Server.ttft_latency = \(Int(ttftMs)), tpot_latency = \(Int(tpotMs)) ms, p99 each")
    }

    /// Every rule, datacenter suite.
    public static let all: [MLPerfServerRule] = [
        latency("resnet50", 15),
        latency("bert", 130),
        latency("retinanet", 100),
        latency("dlrm-v2", 60),
        latency("rnnt", 1000),
        latency("gptj", 20_000),
        tokens("llama2-70b", "server", ttftMs: 2000, tpotMs: 200),
        tokens("llama2-70b", "interactive", ttftMs: 450, tpotMs: 40),
        tokens("mixtral-8x7b", "server", ttftMs: 2000, tpotMs: 200),
        tokens("llama3.1-405b", "server", ttftMs: 6000, tpotMs: 175),
        tokens("llama3.1-405b", "interactive", ttftMs: 4500, tpotMs: 80),
        tokens("llama3.1-8b", "server", ttftMs: 2000, tpotMs: 100),
        tokens("llama3.1-8b", "interactive", ttftMs: 500, tpotMs: 30),
        tokens("deepseek-r1", "server", ttftMs: 2000, tpotMs: 80),
        tokens("deepseek-r1", "interactive", ttftMs: 1500, tpotMs: 15),
        tokens("gpt-oss-120b", "server", ttftMs: 3000, tpotMs: 80),
        tokens("gpt-oss-120b", "interactive", ttftMs: 2000, tpotMs: 15),
    ]

    /// The rule for a benchmark id and scenario ("server" or "interactive"), or nil.
    public static func rule(_ benchmark: String, scenario: String = "server") -> MLPerfServerRule? {
        all.first { $0.benchmark == benchmark && $0.scenario == scenario }
    }

    /// The TTFT/TPOT rule of the MLPerf LLM benchmark a catalog model is (the catalog ids of
    /// the benchmark models are the benchmark ids: llama2-70b, mixtral-8x7b, llama3.1-405b,
    /// llama3.1-8b, deepseek-r1, gpt-oss-120b), or nil.
    public static func llmRule(modelID: String, scenario: String = "server") -> MLPerfServerRule? {
        guard let r = rule(modelID, scenario: scenario), r.bounds.ttftSeconds != nil else { return nil }
        return r
    }

    /// Server bounds where none were given: each missing TTFT/TPOT bound from the model's MLPerf
    /// rule for `scenario` ("server" or "interactive"), else (server only) the standard defaults
    /// (`StandardRunDefaults.serverTTFTBoundMs`/`serverTPOTBoundMs`). Nil for "interactive"
    /// when the model has no interactive rule and a bound is missing.
    public static func llmBoundsMs(modelID: String, scenario: String = "server", ttftMs: Double?, tpotMs: Double?)
        -> (ttftMs: Double, tpotMs: Double, rule: MLPerfServerRule?)? {
        let r = llmRule(modelID: modelID, scenario: scenario)
        if r == nil && scenario != "server" && (ttftMs == nil || tpotMs == nil) { return nil }
        let ttft = ttftMs ?? r?.bounds.ttftSeconds.map { $0 * 1e3 } ?? StandardRunDefaults.serverTTFTBoundMs
        let tpot = tpotMs ?? r?.bounds.tpotSeconds.map { $0 * 1e3 } ?? StandardRunDefaults.serverTPOTBoundMs
        return (ttft, tpot, (ttftMs == nil || tpotMs == nil) ? r : nil)
    }

    /// Model ids with an MLPerf interactive rule, for messages.
    public static var interactiveModelIDs: [String] { all.filter { $0.scenario == "interactive" }.map(\.benchmark) }

    /// "MODEL has no MLPerf interactive rule (models with one: ...)", the cause an interactive
    /// run or case without bounds is refused with (each adds how to give them).
    public static func noInteractiveRule(modelID: String) -> String {
        "\(modelID) has no MLPerf interactive rule (models with one: \(interactiveModelIDs.joined(separator: ", ")))"
    }
}

extension InferenceWorkload {
    /// A decoder LLM's server workload with the bounds not given filled in
    /// (`MLPerfServerRules.llmBoundsMs`) and the rule that gave them in `boundsSource`; any
    /// other workload (or one with both bounds, so a second call keeps the first's source) as
    /// it is. Nil for an interactive run whose model has no interactive rule and that lacks a
    /// bound. The CLI's runs and the case estimator fill interactive bounds with it; the
    /// estimator's door fills server bounds, so a library caller gets the same rule.
    public func withServerBounds(interactive: Bool) -> InferenceWorkload? {
        guard scenario == .server, model.isDecoder, ttftBoundMs == nil || tpotBoundMs == nil else { return self }
        guard let b = MLPerfServerRules.llmBoundsMs(modelID: model.id, scenario: interactive ? "interactive" : "server",
                                                    ttftMs: ttftBoundMs, tpotMs: tpotBoundMs) else { return nil }
        var w = self
        (w.ttftBoundMs, w.tpotBoundMs, w.boundsSource) = (b.ttftMs, b.tpotMs, b.rule?.source)
        return w
    }
}
