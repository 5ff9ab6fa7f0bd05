extension InferenceEstimator {
    /// One serving layout: `tp` x `pp` chips per replica; with `dp` (MoE only) the replica's
    /// `tp` chips run data-parallel attention and split the routed experts `ep = tp` ways.
    public typealias LLMLayout = (tp: Int, pp: Int, ep: Int, dp: Bool)

    /// Replica widths searched for data-parallel attention with large expert parallelism:
    /// powers of two from 16 (below that the TP-group variant covers it), the scale-up domain
    /// and the whole system (DeepSeek decodes over EP144, SGLang over EP72, CloudMatrix over 160
    /// packages = EP320 dies).
    static let largeEPWidths = [16, 32, 64, 128, 256, 512, 1024]

    /// The layouts the LLM search tries under `constraints`:
    /// - tensor-parallel layouts (`candidatePlans`), unless `plan.dpAttention` is on;
    /// - for MoE models, data-parallel attention over the TP group (MLA models, as before) and
    ///   over wide replicas that span scale-up domains (`largeEPWidths`, the domain, all chips)
    ///   when `plan.dpAttention` is on, when `plan.ep` exceeds the domain, or for MLA models
    ///   with nothing fixed. A fixed `plan.ep` fixes the width; an `ep` equal to the chips'
    ///   devices (`dies`: devices per package; CloudMatrix's EP320 on 160 two-die 910C packages,
    ///   two NPUs each) counts packages.
    public static func llmLayouts(model: ModelSpec, chips: Int, constraints: PlanConstraints, domain: Int,
                                  dies: Int = 1) -> [LLMLayout] {
        var out: [LLMLayout] = []
        func add(_ l: LLMLayout) {
            if !out.contains(where: { $0 == l }) { out.append(l) }
        }
        let setting = constraints.dpAttention
        if setting?.isOn != true {
            for (tp, pp, ep) in candidatePlans(model: model, chips: chips, constraints: constraints, domain: domain) {
                add((tp, pp, ep, false))
                if setting == nil && model.isMoE && model.attention == .mla && tp > 1 && ep == tp { add((tp, pp, ep, true)) }
            }
        }
        guard model.isMoE, setting != .off else { return out }
        // Wide DP-attention replicas are searched when asked for, when the given EP spans
        // more than a scale-up domain (TP attention cannot follow it there), or when nothing
        // fixes the layout and the model uses MLA (whose latent KV cache TP would replicate).
        // A fixed tp without dpAttention keeps the TP-attention reading of version-1 cases.
        let epBeyondDomain = (constraints.ep ?? 0) > domain
        let searched = setting == nil && constraints.tp == nil && model.attention == .mla
        guard setting?.isOn == true || epBeyondDomain || searched else { return out }
        var widths: [Int]
        if case let .degree(d)? = setting {
            widths = [d]
        } else if let e = constraints.ep {
            widths = [e > chips && dies > 1 && e % dies == 0 ? e / dies : e]
        } else {
            widths = largeEPWidths + [domain, chips]
            if setting == .on { widths += [2, 4, 8] }
        }
        let pps = constraints.pp.map { [$0] } ?? [1]
        for w in Set(widths).sorted() where w >= 2 && w <= chips {
            for pp in pps where w * pp <= chips {
                if let r = constraints.replicas, r * w * pp > chips { continue }
                add((w, pp, w, true))
            }
        }
        return out
    }
}
