/// Readers of the format-version-2 inference keys of a measurement case (Benchmarks/CASES.md,
/// "Format version 2 additions"): `workload.speculative`, `plan.dpAttention`,
/// `plan.disaggregated`. Malformed values are problems with their key path; values the
/// estimator cannot use are left to it (a failed case with a reason, never a rejected file).
enum CaseFormatV2 {
    /// `{ "method": "mtp" | "draft", "draftTokens": k, "acceptedTokensPerStep": a }`.
    static func speculative(_ w: ObjectReader, log: ProblemLog) -> SpeculativeDecoding? {
        guard let s = w.object("speculative") else { return nil }
        let before = log.problems.count
        let method = s.choice("method", from: SpeculativeDecoding.Method.allCases.map(\.rawValue), required: true)
            .flatMap(SpeculativeDecoding.Method.init(rawValue:))
        let k = s.integer("draftTokens", required: true, range: 1...64)
        let a = s.number("acceptedTokensPerStep", required: true, positive: true)
        s.finish()
        guard log.problems.count == before, let method, let k, let a else { return nil }
        let spec = SpeculativeDecoding(method: method, draftTokens: k, acceptedTokensPerStep: a)
        if let problem = spec.problem {
            log.add(s.keyPath("acceptedTokensPerStep"), problem)
            return nil
        }
        return spec
    }

    /// `true` / `false` or a degree (a whole number >= 1; 1 = off).
    static func dpAttention(_ p: ObjectReader, log: ProblemLog) -> DPAttentionSetting? {
        guard let v = p.raw("dpAttention") else { return nil }
        switch v {
        case let .bool(b): return b ? .on : .off
        case let .number(n):
            guard let d = exactInt(n), (1...10_000_000).contains(d) else {
                log.add(p.keyPath("dpAttention"), "must be true, false or a whole number in 1...10000000, found \(JSONValue.formatNumber(n))")
                return nil
            }
            return d == 1 ? .off : .degree(d)
        default:
            log.add(p.keyPath("dpAttention"), "expected true, false or a degree, found \(v.typeName)")
            return nil
        }
    }

    /// `{ "prefill": { "chips", "tp", "pp", "ep", "dpAttention" }, "decode": { ... } }`.
    static func disaggregated(_ p: ObjectReader, log: ProblemLog) -> DisaggregatedPlan? {
        guard let d = p.object("disaggregated") else { return nil }
        func pool(_ key: String) -> InferencePoolPlan? {
            guard let o = d.object(key, required: true) else { return nil }
            let deg = 1...10_000_000
            let pool = InferencePoolPlan(chips: o.integer("chips", range: deg), tp: o.integer("tp", range: deg),
                                         pp: o.integer("pp", range: deg), ep: o.integer("ep", range: deg),
                                         dpAttention: dpAttention(o, log: log))
            o.finish()
            return pool
        }
        let before = log.problems.count
        let prefill = pool("prefill"), decode = pool("decode")
        d.finish()
        guard log.problems.count == before, let prefill, let decode else { return nil }
        return DisaggregatedPlan(prefill: prefill, decode: decode)
    }
}
