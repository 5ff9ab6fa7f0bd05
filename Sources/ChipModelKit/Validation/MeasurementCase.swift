/// A metric a measurement case reports (Benchmarks/CASES.md).
public enum CaseMetric: String, Sendable, CaseIterable {
    case stepTimeSeconds, tokensPerSecondPerChip
    case tokensPerSecond, samplesPerSecond, ttftMs, tpotMs, latencyMs
    /// Inference, format v2: prompt tokens per second (prefill measurements).
    case inputTokensPerSecond

    /// Metrics only a training case can report.
    public var isTraining: Bool { self == .stepTimeSeconds }

    /// A time (lower is better): step time, TTFT, TPOT, latency.
    public var isTime: Bool { self == .stepTimeSeconds || self == .ttftMs || self == .tpotMs || self == .latencyMs }

    /// A signed relative error on this metric as the same error on throughput, the headline of
    /// an estimate: a time's error e is 1 / (1 + e) - 1 (an estimate that runs fast is high).
    public func throughputError(_ error: Double) -> Double { isTime ? 1 / (1 + error) - 1 : error }

    /// Whether a case of `kind` can report this metric (`tokensPerSecondPerChip` is both:
    /// training tokens, or generated tokens divided by the chips, format v2).
    public func applies(to kind: MeasurementCase.Kind) -> Bool {
        switch self {
        case .stepTimeSeconds: return kind == .training
        case .tokensPerSecondPerChip: return true
        case .tokensPerSecond, .samplesPerSecond, .ttftMs, .tpotMs, .latencyMs, .inputTokensPerSecond: return kind == .inference
        }
    }
}

/// A model named by id or given inline.
public enum ModelReference: Sendable, Equatable {
    case builtIn(String)
    case inline(ModelSpec)
}

/// One published measurement with everything needed to estimate it (format: Benchmarks/CASES.md).
public struct MeasurementCase: Sendable, Equatable {
    public enum Kind: String, Sendable { case training, inference }

    public var id: String
    public var source: String
    public var weight: Double
    public var note: String?
    public var chip: String
    public var chipCount: Int
    public var scaleUpDomain: Int?
    public var kind: Kind
    public var model: ModelReference
    public var precision: NumberFormat
    public var sequenceLength: Int?
    public var globalBatch: Int?
    public var scenario: InferenceScenario?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var batch: Int?
    public var ttftBoundMs: Double?
    public var tpotBoundMs: Double?
    public var plan: PlanConstraints
    public var metric: CaseMetric
    public var measured: Double
    /// Format v2 (inference): `system.emulate`, `workload.phase`, `workload.speculative`.
    public var emulate: Bool = false
    public var phase: InferencePhase = .both
    public var speculative: SpeculativeDecoding? = nil
    /// Format v2 `system.groups`: a mixed cluster (then `chip` is the ids joined by '+' and
    /// `chipCount` the total), and `system.interGroup`, the fabric between the groups.
    public var groups: [CaseGroup]? = nil
    public var interGroup: InterGroupFabric? = nil
    /// `workload.scenario` "interactive" (MLPerf's -interactive variant): the server scenario
    /// (`scenario` = .server) at the model's MLPerf interactive bounds unless `latency` gives them.
    public var interactive = false
}

/// Reads a case file: a JSON array of cases. All problems in all cases are reported, each
/// with `[i].key.path`; valid cases are returned only when there is no problem at all.
public enum CaseDecoder {
    public static func decode(bytes: [UInt8], file: String) -> Result<[MeasurementCase], InputError> {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "invalid JSON: \(error)")]))
        }
        let log = ProblemLog(file: file)
        guard case let .array(items) = json else {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "expected an array of cases, found \(json.typeName)")]))
        }
        var cases: [MeasurementCase] = []
        var ids = Set<String>()
        for (i, item) in items.enumerated() {
            if let c = decodeCase(item, path: "[\(i)]", log: log) {
                if ids.contains(c.id) { log.add("[\(i)].id", "duplicate case id '\(c.id)'") }
                ids.insert(c.id)
                cases.append(c)
            }
        }
        if !log.problems.isEmpty { return .failure(InputError(log.problems)) }
        return .success(cases)
    }

    static func decodeCase(_ json: JSONValue, path: String, log: ProblemLog) -> MeasurementCase? {
        guard let o = ObjectReader(json, path: path, log: log) else { return nil }
        let before = log.problems.count
        let id = o.string("id", required: true)
        let source = o.string("source", required: true)
        let weight = o.number("weight", required: true, nonNegative: true)
        if let w = weight, w > 1 { log.add(o.keyPath("weight"), "must be in 0...1, found \(formatQuantity(w))") }
        let note = o.string("note")
        o.accept("filled", "origin")
        var chip: String?, count: Int?, domain: Int?, emulate = false
        var groups: [CaseGroup]?, interGroup: InterGroupFabric?
        if let s = o.object("system", required: true) {
            if s.has("groups") {
                groups = CaseGroup.decode(s, log: log)
                chip = groups.map { $0.map(\.chip).joined(separator: "+") }
                count = groups.map { $0.reduce(0) { $0 + $1.count } }
                interGroup = CaseGroup.decodeFabric(s)
            } else {
                chip = s.string("chip", required: true)
                count = s.integer("count", required: true, range: 1...10_000_000)
                domain = s.integer("scaleUpDomain", range: 1...10_000_000)
            }
            emulate = s.bool("emulate") ?? false
            s.finish()
        }
        var phase = InferencePhase.both
        var speculative: SpeculativeDecoding?
        var kind: MeasurementCase.Kind?, model: ModelReference?, precision: NumberFormat?
        var seq: Int?, gbs: Int?, scenario: InferenceScenario?, inTok: Int?, outTok: Int?, batch: Int?
        var interactive = false
        var ttft: Double?, tpot: Double?
        if let w = o.object("workload", required: true) {
            kind = w.choice("kind", from: ["training", "inference"], required: true).flatMap(MeasurementCase.Kind.init(rawValue:))
            if let m = w.raw("model") {
                if case let .string(s) = m { model = .builtIn(s) } else if let spec = ModelDecoder.decode(m, path: w.keyPath("model"), log: log, requireID: false) {
                    model = .inline(spec)
                }
            } else {
                log.add(w.keyPath("model"), "required key is missing")
            }
            if let p = w.string("precision", required: true) {
                precision = NumberFormat(name: p)
                if precision == nil { log.add(w.keyPath("precision"), "unknown number format '\(p)'") }
            }
            seq = w.integer("sequenceLength", range: 1...10_000_000)
            gbs = w.integer("globalBatch", range: 1...100_000_000)
            let scenarioName = w.choice("scenario", from: InferenceScenario.allCases.map(\.rawValue) + ["interactive"])
            interactive = scenarioName == "interactive"
            scenario = interactive ? .server : scenarioName.flatMap(InferenceScenario.init(rawValue:))
            inTok = w.integer("inputTokens", range: 0...10_000_000)
            outTok = w.integer("outputTokens", range: 0...10_000_000)
            batch = w.integer("batch", range: 1...100_000_000)
            if let p = w.choice("phase", from: InferencePhase.allCases.map(\.rawValue)) { phase = InferencePhase(rawValue: p) ?? .both }
            speculative = CaseFormatV2.speculative(w, log: log)
            if let l = w.object("latency") {
                ttft = l.number("ttftMs", positive: true)
                tpot = l.number("tpotMs", positive: true)
                l.finish()
            }
            w.finish()
            if kind == .training {
                if seq == nil { log.add(w.keyPath("sequenceLength"), "required for a training case") }
                if gbs == nil { log.add(w.keyPath("globalBatch"), "required for a training case") }
            }
            if kind == .inference, scenario == nil { log.add(w.keyPath("scenario"), "required for an inference case") }
        }
        var plan = PlanConstraints()
        if let p = o.object("plan") {
            let deg = 1...10_000_000
            plan.tp = p.integer("tp", range: deg)
            plan.pp = p.integer("pp", range: deg)
            plan.dp = p.integer("dp", range: deg)
            plan.cp = p.integer("cp", range: deg)
            plan.ep = p.integer("ep", range: deg)
            plan.microBatch = p.integer("microBatch", range: deg)
            plan.virtualStages = p.integer("virtualStages", range: 1...1024)
            plan.sequenceParallel = p.bool("sequenceParallel")
            plan.recompute = p.choice("recompute", from: RecomputeMode.allCases.map(\.rawValue)).flatMap(RecomputeMode.init(rawValue:))
            plan.zeroStage = p.integer("zeroStage", range: 0...3)
            plan.replicas = p.integer("replicas", range: deg)
            plan.overlapExpertParallel = p.bool("overlapExpertParallel")
            plan.dpAttention = CaseFormatV2.dpAttention(p, log: log)
            plan.disaggregated = CaseFormatV2.disaggregated(p, log: log)
            p.finish()
        }
        var metric: CaseMetric?, value: Double?
        if let m = o.object("measured", required: true) {
            metric = m.choice("metric", from: CaseMetric.allCases.map(\.rawValue), required: true).flatMap(CaseMetric.init(rawValue:))
            value = m.number("value", required: true, positive: true)
            m.finish()
        }
        o.finish()
        if let kind, kind == .training, phase != .both || speculative != nil || plan.disaggregated != nil {
            log.add(o.keyPath("workload"), "phase, speculative and plan.disaggregated apply to inference cases")
        }
        if let kind, let metric, !metric.applies(to: kind) {
            log.add(o.keyPath("measured.metric"), "'\(metric.rawValue)' is not a \(kind.rawValue) metric")
        }
        guard log.problems.count == before, let id, let source, let weight, let chip, let count, let kind,
              let model, let precision, let metric, let value else { return nil }
        var c = MeasurementCase(id: id, source: source, weight: weight, note: note, chip: chip, chipCount: count,
                                scaleUpDomain: domain, kind: kind, model: model, precision: precision,
                                sequenceLength: seq, globalBatch: gbs, scenario: scenario, inputTokens: inTok,
                                outputTokens: outTok, batch: batch, ttftBoundMs: ttft, tpotBoundMs: tpot,
                                plan: plan, metric: metric, measured: value, emulate: emulate, phase: phase,
                                speculative: speculative, groups: groups, interGroup: interGroup)
        c.interactive = interactive
        return c
    }
}
