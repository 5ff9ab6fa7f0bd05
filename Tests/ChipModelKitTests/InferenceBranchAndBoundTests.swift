import Foundation
import Testing
import ChipModelTestSupport
@testable import ChipModelKit

/// The LLM serving search by branch and bound returns what full enumeration returns: the same
/// layout, batch, throughput and latencies bit for bit, the same sweep and explanation, on
/// random workloads (small random decoders and catalog models with MLA and MoE), random and
/// perturbed catalog chips, scenarios, phases, latency bounds, speculative decoding and fixed
/// plan fields; and every layout's bound is at least the score its full evaluation gives.
/// (The server scenario's queue simulation re-rates the three best plans afterwards; its search
/// is the offline one with the server's bounds, exercised here through explicit bounds, and
/// its three kept layouts are checked against full enumeration's below.)
@Suite struct InferenceBranchAndBoundTests {
    struct SearchCase {
        var workload: InferenceWorkload
        var cluster: Cluster
        var constraints: PlanConstraints
        var batch: Int?
        var label: String
    }

    static let catalogModels: [ModelSpec] = {
        guard let zoo = try? ModelZoo.builtIn() else { return [] }
        return ["llama3-8b", "qwen3-30b-a3b", "mixtral-8x7b", "deepseek-v3"].compactMap { try? zoo.model($0) }
    }()

    static func searchCase(_ rng: inout SplitMix64) -> SearchCase {
        let chip = rng.chance(0.7) ? EstimatorPropertyTests.perturbedChip(&rng) : ChipParameters(chip: RandomSpecs.chip(&rng), corner: .nominal)
        let model = rng.chance(0.35) && !catalogModels.isEmpty ? rng.pick(catalogModels) : EstimatorPropertyTests.smallModel(&rng)
        let chips = rng.pick(model.totalParams > 1e11 ? [16, 32, 64, 160] : [1, 2, 4, 8, 16, 32])
        let scenario: InferenceScenario = rng.chance(0.15) ? .singleStream : .offline
        let phase: InferencePhase = rng.chance(0.15) ? .decode : (rng.chance(0.1) ? .prefill : .both)
        let precision: NumberFormat = chip.matmulTflops[.fp8] != nil && rng.chance(0.5) ? .fp8 : EstimatorPropertyTests.trainingFormat(chip)
        var w = InferenceWorkload(model: model, scenario: scenario, inputTokens: rng.pick([128, 1024, 2048, 4096]),
                                  outputTokens: rng.pick([16, 256, 1024]), precision: precision,
                                  ttftBoundMs: rng.chance(0.3) ? rng.pick([200.0, 2000, 10_000]) : nil,
                                  tpotBoundMs: rng.chance(0.4) ? rng.pick([20.0, 50, 100, 200]) : nil, phase: phase)
        if rng.chance(0.15) { w.speculative = SpeculativeDecoding(method: .mtp, draftTokens: 1, acceptedTokensPerStep: rng.uniform(1.3, 1.9)) }
        var c = PlanConstraints()
        if rng.chance(0.1) { c.tp = rng.pick([1, 2, 4].filter { model.heads % $0 == 0 && $0 <= chips }) }
        if rng.chance(0.1) { c.replicas = 1 }
        if model.isMoE && rng.chance(0.2) { c.dpAttention = rng.pick([.on, .off]) }
        if model.isMoE && rng.chance(0.2) { c.twoBatchOverlap = true }
        let batch: Int? = rng.chance(0.1) ? rng.pick([1, 8, 64]) : nil
        let domain: Int? = rng.chance(0.3) ? rng.pick([2, 4, 8]) : nil
        return SearchCase(workload: w, cluster: Cluster(chip: chip, count: chips, scaleUpDomain: domain), constraints: c, batch: batch,
                          label: "\(chip.id) \(model.id) on \(chips) chips (domain \(domain.map(String.init) ?? "spec")), \(scenario.rawValue) \(phase.rawValue), in \(w.inputTokens) out \(w.outputTokens), TTFT \(w.ttftBoundMs.map { "\($0)" } ?? "-") TPOT \(w.tpotBoundMs.map { "\($0)" } ?? "-"), batch \(batch.map(String.init) ?? "searched")")
    }

    /// The first difference between the two estimates (or their errors), or nil.
    static func difference(_ full: Result<InferenceEstimate, Error>, _ bb: Result<InferenceEstimate, Error>) -> String? {
        switch (full, bb) {
        case let (.failure(a), .failure(b)):
            return "\(a)" == "\(b)" ? nil : "errors differ: \(a) vs \(b)"
        case let (.failure(a), .success(b)):
            return "full enumeration failed (\(a)), branch and bound chose \(b.plan)"
        case let (.success(a), .failure(b)):
            return "full enumeration chose \(a.plan), branch and bound failed (\(b))"
        case let (.success(a), .success(b)):
            if a.plan != b.plan { return "plan \(a.plan) vs \(b.plan)" }
            func bits(_ x: Double?) -> UInt64? { x?.bitPattern }
            if bits(a.tokensPerSecond) != bits(b.tokensPerSecond) || bits(a.inputTokensPerSecond) != bits(b.inputTokensPerSecond)
                || bits(a.tpotMs) != bits(b.tpotMs) || bits(a.ttftMs) != bits(b.ttftMs) || bits(a.latencyMs) != bits(b.latencyMs) {
                return "\(a.plan): tokens/s \(String(describing: a.tokensPerSecond)) vs \(String(describing: b.tokensPerSecond)), TPOT \(String(describing: a.tpotMs)) vs \(String(describing: b.tpotMs))"
            }
            if a.sweep != b.sweep { return "\(a.plan): sweep tables differ" }
            if a.binding != b.binding { return "binding '\(a.binding)' vs '\(b.binding)'" }
            let la = a.explanation.filter { !$0.contains("search: ") }, lb = b.explanation.filter { !$0.contains("search: ") }
            if la != lb { return "explanations differ: \(zip(la, lb).first { $0 != $1 }.map { "\($0.0) | \($0.1)" } ?? "length \(la.count) vs \(lb.count)")" }
            guard let ea = a.search, let eb = b.search else { return "no search effort reported" }
            if ea.layouts != eb.layouts || ea.points != eb.points { return "spaces differ: \(ea) vs \(eb)" }
            // Full enumeration evaluates every fitting layout; branch and bound at most those.
            if ea.pointsEvaluated != ea.points || eb.layoutsEvaluated > ea.layoutsEvaluated || eb.pointsEvaluated > eb.points {
                return "effort: full \(ea), branch and bound \(eb)"
            }
            return nil
        }
    }

    static let cases = Int(ProcessInfo.processInfo.environment["CHIPMODEL_PROPERTY_CASES"] ?? "") ?? 300

    static func run(_ c: SearchCase, exhaustive: Bool) -> Result<InferenceEstimate, Error> {
        Result { try InferenceEstimator.estimate(c.workload, on: c.cluster, constraints: c.constraints,
                                                 options: .init(batch: c.batch, exhaustiveSearch: exhaustive)) }
    }

    @Test func sameEstimateAsFullEnumeration() {
        var estimated = 0, evaluated = 0, fitting = 0, largeEP = 0
        let failures = forAllCases(count: Self.cases, seed: 19_300) { rng in
            let c = Self.searchCase(&rng)
            let full = Self.run(c, exhaustive: true), bb = Self.run(c, exhaustive: false)
            if case let .success(e) = bb, let s = e.search {
                estimated += 1
                evaluated += s.layoutsEvaluated
                fitting += s.layoutsBounded
                if e.plan.dpAttention && e.plan.tp >= 16 { largeEP += 1 }
            }
            return Self.difference(full, bb).map { "\(c.label): \($0)" }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(estimated > Self.cases / 2, "\(estimated) of \(Self.cases) cases estimated")
        // Pruning happens at all (not a test of how much), and wide DP-attention layouts are among the answers.
        #expect(evaluated < fitting, "\(evaluated) layouts evaluated of \(fitting) bounded")
        #expect(largeEP > 0)
    }

    /// Disaggregated prefill/decode: every pool size's search (and the dynamic-role variant)
    /// by branch and bound gives full enumeration's split, pools and rates.
    @Test func disaggregatedSameAsFullEnumeration() {
        let failures = forAllCases(count: max(4, Self.cases / 20), seed: 19_302) { rng in
            var c = Self.searchCase(&rng)
            guard c.workload.model.isDecoder, c.cluster.count >= 2 else { return nil }
            c.workload.phase = .both
            c.workload.scenario = .offline
            c.batch = nil
            c.constraints = PlanConstraints()
            c.constraints.disaggregated = DisaggregatedPlan()
            let full = Self.run(c, exhaustive: true), bb = Self.run(c, exhaustive: false)
            if case let .success(a) = full, case let .success(b) = bb,
               a.disaggregation?.prefillChips != b.disaggregation?.prefillChips || a.disaggregation?.decodePlan != b.disaggregation?.decodePlan || a.samplesPerSecond?.bitPattern != b.samplesPerSecond?.bitPattern {
                return "\(c.label): prefill chips \(String(describing: a.disaggregation?.prefillChips)) vs \(String(describing: b.disaggregation?.prefillChips)), requests/s \(String(describing: a.samplesPerSecond)) vs \(String(describing: b.samplesPerSecond))"
            }
            return Self.difference(full, bb).map { "\(c.label) (disaggregated): \($0)" }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Admissibility itself: every layout that fits gets a bound at least its full score.
    @Test func boundIsAtLeastTheScoreOfEveryLayout() throws {
        var checked = 0
        let failures = forAllCases(count: Self.cases / 2, seed: 19_301) { rng in
            let c = Self.searchCase(&rng)
            guard c.workload.phase != .prefill else { return nil }
            let chip = c.cluster.chip
            let net = ClusterNetwork(chip: chip, domainSize: c.cluster.scaleUpDomainOverride, fabric: c.cluster.fabric)
            let search = LLMLayoutSearch(c.workload, chip: chip, chips: c.cluster.count, constraints: c.constraints, batch: c.batch)
            let layouts = InferenceEstimator.llmLayouts(model: c.workload.model, chips: c.cluster.count, constraints: c.constraints,
                                                        domain: net.scaleUp.domainSize, dies: chip.devicesPerPackage)
            for (i, l) in layouts.enumerated() {
                guard case let .fits(candidate)? = try? search.prepare(i, l, scaleUpDomain: c.cluster.scaleUpDomainOverride,
                                                                      fabric: c.cluster.fabric) else { continue }
                let bound = search.upperBound(candidate, cands: search.batchCandidates(candidate))
                if let s = search.evaluate(candidate) {
                    checked += 1
                    guard let bound else { return "\(c.label), layout \(l): no bound but a score \(s.score)" }
                    if !(bound >= s.score) { return "\(c.label), layout \(l): bound \(bound) below the score \(s.score)" }
                }
            }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(checked > Self.cases, "\(checked) layouts checked")
    }

    /// The server scenario keeps the three best layouts: branch and bound (pruning against the
    /// third best) keeps the same three, in the same order, as full enumeration.
    @Test func keepsTheSameBestLayoutsAsFullEnumeration() throws {
        var compared = 0
        let failures = forAllCases(count: max(10, Self.cases / 3), seed: 19_303) { rng in
            let c = Self.searchCase(&rng)
            guard c.workload.model.isDecoder else { return nil }
            let chip = c.cluster.chip
            let net = ClusterNetwork(chip: chip, domainSize: c.cluster.scaleUpDomainOverride, fabric: c.cluster.fabric)
            let search = LLMLayoutSearch(c.workload, chip: chip, chips: c.cluster.count, constraints: c.constraints, batch: c.batch)
            let layouts = InferenceEstimator.llmLayouts(model: c.workload.model, chips: c.cluster.count, constraints: c.constraints,
                                                        domain: net.scaleUp.domainSize, dies: chip.devicesPerPackage)
            guard let full = try? search.run(layouts: layouts, scaleUpDomain: c.cluster.scaleUpDomainOverride, fabric: c.cluster.fabric,
                                             exhaustive: true, keep: 3),
                  let bb = try? search.run(layouts: layouts, scaleUpDomain: c.cluster.scaleUpDomainOverride, fabric: c.cluster.fabric,
                                           exhaustive: false, keep: 3) else { return nil }
            compared += 1
            let a = full.top.map { ($0.candidate.index, $0.score.bitPattern) }, b = bb.top.map { ($0.candidate.index, $0.score.bitPattern) }
            if !a.elementsEqual(b, by: { $0 == $1 }) { return "\(c.label): full \(a) vs branch and bound \(b)" }
            if full.best?.candidate.index != full.top.first?.candidate.index { return "\(c.label): best is not the first kept" }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(compared > 5)
    }
}
