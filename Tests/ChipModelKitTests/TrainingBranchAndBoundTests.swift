import Foundation
import Testing
import ChipModelTestSupport
@testable import ChipModelKit

/// Branch and bound returns what full enumeration returns: the same top-K plans, step times
/// and memory, bit for bit, on random small workloads, clusters and chips (random specs and
/// perturbed catalog chips); and its boxes hold every candidate they stand for.
@Suite struct TrainingBranchAndBoundTests {
    struct SearchCase {
        var model: TrainingCostModel
        var constraints: PlanConstraints
        var top: Int
        var label: String
    }

    /// A random chip: perturbed catalog chip or a random spec.
    static func chip(_ rng: inout SplitMix64) -> ChipParameters {
        rng.chance(0.6) ? EstimatorPropertyTests.perturbedChip(&rng) : ChipParameters(chip: RandomSpecs.chip(&rng), corner: .nominal)
    }

    /// A small search (1-16 chips, a 2-8 layer decoder, batch 1-32): spaces of tens to a few
    /// thousand candidates, fast in a debug build.
    /// A third of the models are MoE (8 experts), so EP > 1 and its all-to-all overlap option
    /// are searched; pipelines with m a multiple of p search interleaving.
    static func searchCase(_ rng: inout SplitMix64, chip: ChipParameters? = nil, model fixedModel: ModelSpec? = nil,
                           chips fixedChips: Int? = nil, batch fixedBatch: Int? = nil) -> SearchCase? {
        let p = chip ?? Self.chip(&rng)
        let model = fixedModel ?? EstimatorPropertyTests.smallModel(&rng)
        let chips = fixedChips ?? rng.pick([1, 2, 4, 8, 16])
        let batch = fixedBatch ?? rng.pick([1, 2, 4, 8, 16, 32])
        let w = TrainingWorkload(model: model, sequenceLength: rng.pick([512, 1024, 2048]), globalBatch: batch,
                                 precision: EstimatorPropertyTests.trainingFormat(p))
        var c = PlanConstraints()
        if rng.chance(0.15) { c.recompute = rng.pick(RecomputeMode.allCases) }
        if rng.chance(0.1) { c.zeroStage = rng.below(4) }
        if rng.chance(0.1) { c.tp = rng.pick([1, 2].filter { model.heads % $0 == 0 && chips % $0 == 0 }) }
        if model.isMoE && rng.chance(0.15) { c.overlapExpertParallel = rng.bool() }
        let domain: Int? = rng.chance(0.3) ? rng.pick([1, 2, 4]) : nil
        guard let cm = try? TrainingCostModel(workload: w, cluster: Cluster(chip: p, count: chips, scaleUpDomain: domain)) else { return nil }
        return SearchCase(model: cm, constraints: c, top: 1 + rng.below(8),
                          label: "\(p.id) \(model.id) L\(model.layers) h\(model.hidden) on \(chips) chips, batch \(batch), seq \(w.sequenceLength)")
    }

    static func options(_ top: Int, exhaustive: Bool) -> TrainingSearch.Options {
        var o = TrainingSearch.Options(top: top, threads: 1)
        o.exhaustive = exhaustive
        return o
    }

    /// The first difference between two results, or nil.
    static func difference(_ full: TrainingSearchResult, _ bb: TrainingSearchResult) -> String? {
        if full.top.count != bb.top.count { return "top count \(full.top.count) vs \(bb.top.count)" }
        for (i, (a, b)) in zip(full.top, bb.top).enumerated() {
            if a.plan != b.plan { return "#\(i + 1): full enumeration \(a.plan) (\(a.stepSeconds) s), branch and bound \(b.plan) (\(b.stepSeconds) s)" }
            if a.stepSeconds.bitPattern != b.stepSeconds.bitPattern || a.memoryBytes.bitPattern != b.memoryBytes.bitPattern {
                return "#\(i + 1) \(a.plan): \(a.stepSeconds) s / \(a.memoryBytes) B vs \(b.stepSeconds) s / \(b.memoryBytes) B"
            }
        }
        if full.candidatesEvaluated != bb.searchSpace { return "space \(bb.searchSpace) but full enumeration evaluated \(full.candidatesEvaluated)" }
        if bb.candidatesEvaluated > bb.searchSpace { return "evaluated \(bb.candidatesEvaluated) of a space of \(bb.searchSpace)" }
        // Full enumeration counts candidates with a finite step time, branch and bound those that
        // fit in memory (it does not evaluate them all); they differ only by candidates whose
        // time is not finite (a chip with an unusable link), which rank in neither.
        if full.feasible > bb.feasible { return "fitting candidates \(full.feasible) vs \(bb.feasible)" }
        if full.leastMemory?.plan != bb.leastMemory?.plan || full.leastMemory?.memoryBytes != bb.leastMemory?.memoryBytes {
            return "least-memory plan \(String(describing: full.leastMemory)) vs \(String(describing: bb.leastMemory))"
        }
        return nil
    }

    static let cases = Int(ProcessInfo.processInfo.environment["CHIPMODEL_PROPERTY_CASES"] ?? "") ?? 400

    @Test func sameTopPlansAsFullEnumeration() {
        var searched = 0, evaluated = 0, space = 0, expertOverlap = 0, interleaved = 0
        let failures = forAllCases(count: Self.cases, seed: 19_100) { rng in
            guard let c = Self.searchCase(&rng) else { return nil }
            let full = TrainingSearch.run(c.model, constraints: c.constraints, options: Self.options(c.top, exhaustive: true))
            let bb = TrainingSearch.run(c.model, constraints: c.constraints, options: Self.options(c.top, exhaustive: false))
            searched += 1
            evaluated += bb.candidatesEvaluated
            space += bb.searchSpace
            expertOverlap += full.top.filter { $0.plan.ep > 1 && $0.plan.overlapExpertParallel }.count
            interleaved += full.top.filter { $0.plan.virtualStages > 1 }.count
            return Self.difference(full, bb).map { "\(c.label), top \(c.top): \($0)" }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(searched > Self.cases / 2)
        // Pruning happens at all (not a test of how much).
        #expect(evaluated < space)
        // The new options rank among the compared plans (so their columns are exercised).
        #expect(expertOverlap > 0 && interleaved > 0, "EP-overlap plans \(expertOverlap), interleaved plans \(interleaved)")
    }

    /// Samples of one chip share one cached space (memory per row reused): each sample's
    /// search still equals its own full enumeration.
    /// On systems whose scale-up domain is not a switch (a TPU v5p torus, an Atlas full mesh)
    /// the collectives change but the kernel's inputs are still numbers: branch and bound stays
    /// exact there too.
    @Test func sameTopPlansOnTopologyFabrics() throws {
        let systems = try SystemCatalog.builtIn(), catalog = try ChipCatalog.builtIn()
        var rng = SplitMix64(seed: 19_200)
        for id in ["tpu-v5p-pod-slice", "atlas-900-a2-pod"] {
            let system = try systems.system(id)
            let fabric = try #require(ScaleUpFabric(system: system))
            let chip = ChipParameters(chip: system.effectiveChip(try catalog.chip(system.chip)))
            for _ in 0..<8 {
                let model = EstimatorPropertyTests.smallModel(&rng)
                let chips = rng.pick([4, 8, 16])
                let w = TrainingWorkload(model: model, sequenceLength: 1024, globalBatch: rng.pick([8, 16, 32]),
                                         precision: EstimatorPropertyTests.trainingFormat(chip))
                guard let cm = try? TrainingCostModel(workload: w, cluster: Cluster(chip: chip, count: chips, fabric: fabric)) else { continue }
                let full = TrainingSearch.run(cm, constraints: PlanConstraints(), options: Self.options(3, exhaustive: true))
                let bb = TrainingSearch.run(cm, constraints: PlanConstraints(), options: Self.options(3, exhaustive: false))
                #expect(Self.difference(full, bb) == nil, "\(id) \(model.id) on \(chips): \(Self.difference(full, bb) ?? "")")
            }
        }
    }

    @Test func reuseAcrossSamplesStaysExact() throws {
        let failures = forAllCases(count: 40, seed: 19_200) { rng in
            let base = EstimatorPropertyTests.perturbedChip(&rng)
            let model = EstimatorPropertyTests.smallModel(&rng)
            let chips = rng.pick([4, 8, 16]), batch = rng.pick([8, 16, 32])
            for s in 0..<6 {
                var p = base
                func k() -> Double { rng.uniform(0.7, 1.4) }
                for f in p.matmulTflops.keys { p.matmulTflops[f]! *= k() }
                p.memoryBandwidthGBps = p.memoryBandwidthGBps.map { $0 * k() }
                p.memoryCapacityGB = p.memoryCapacityGB.map { $0 * k() }
                p.scaleUpPerDirectionGBps = p.scaleUpPerDirectionGBps.map { $0 * k() }
                p.scaleOutPerDirectionGBps = p.scaleOutPerDirectionGBps.map { $0 * k() }
                var sub = SplitMix64(seed: 7, index: UInt64(s))
                guard let c = Self.searchCase(&sub, chip: p, model: model, chips: chips, batch: batch) else { continue }
                let full = TrainingSearch.run(c.model, constraints: PlanConstraints(), options: Self.options(c.top, exhaustive: true))
                let bb = TrainingSearch.run(c.model, constraints: PlanConstraints(), options: Self.options(c.top, exhaustive: false))
                if let d = Self.difference(full, bb) { return "sample \(s) of \(c.label): \(d)" }
            }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Results and counts do not depend on the thread count.
    @Test func deterministicAcrossThreads() throws {
        let cm = try costModel(smallGPT(), chips: 16, batch: 64)
        var one = TrainingSearch.Options(threads: 1), two = TrainingSearch.Options(threads: 2)
        one.top = 8
        two.top = 8
        let a = TrainingSearch.run(cm, constraints: PlanConstraints(), options: one)
        let b = TrainingSearch.run(cm, constraints: PlanConstraints(), options: two)
        #expect(a.top == b.top && a.candidatesEvaluated == b.candidatesEvaluated && a.searchSpace == b.searchSpace)
        #expect(a.candidatesEvaluated < a.searchSpace)
    }
}

/// The boxes branch and bound prunes with hold every candidate of their partial plan
/// (TrainingSearchBounds.swift): a column that escapes is named, so whoever changed
/// `assemble`, the enumeration or the overlap variants knows which range to revisit.
@Suite struct TrainingSearchBoundsTests {
    /// The first column of `x` outside [lo, hi], or nil.
    static func escape(_ x: CandidateInputs, _ lo: CandidateInputs, _ hi: CandidateInputs) -> String? {
        for (name, kp) in CandidateBoundTests.columns {
            let v = x[keyPath: kp]
            if !(lo[keyPath: kp] <= v && v <= hi[keyPath: kp]) { return "\(name) = \(v) outside [\(lo[keyPath: kp]), \(hi[keyPath: kp])]" }
        }
        return nil
    }

    @Test func groupBoxesHoldTheirCandidates() {
        let failures = forAllCases(count: 60, seed: 19_300) { rng in
            guard let c = TrainingBranchAndBoundTests.searchCase(&rng) else { return nil }
            let m = c.model
            // Build the space as a search does (and leave it in the cache as a search would).
            _ = TrainingSearch.run(m, constraints: c.constraints, options: TrainingBranchAndBoundTests.options(1, exhaustive: false))
            let (outers, keys) = TrainingSearchSpace.outersAndKeys(m, c.constraints)
            let layers = TrainingSearchSpace.layerCosts(m, keys: keys, threads: 1)
            let options = TrainingBranchAndBoundTests.options(1, exhaustive: true)
            let space = TrainingSearchSpace(model: m, constraints: c.constraints, options: options, outers: outers, keys: keys, layers: layers)
            let cap = m.scalars.capacityBytes
            let ev = TrainingSearch.GroupEvaluator(model: m, space: space)
            for (gi, grp) in space.groups.enumerated() {
                let o = space.outers[grp.outer]
                guard let layer = layers[grp.key],
                      let g = m.group(tp: o.t, cp: o.c, ep: o.e, pp: o.p, microBatch: grp.microBatch, sequenceParallel: grp.sequenceParallel,
                                      layer: layer) else { continue }
                // One box per EP-overlap option (a candidate's option is its epOverlap column).
                let boxes = (0..<2).map { oe in
                    TrainingSearch.groupBox(grp, g, space: space, layers: m.workload.model.layers,
                                            overlappedComputeScale: m.overlappedComputeScale, capacity: cap, expertOverlap: oe)
                }
                var top = TrainingSearch.TopList(limit: 1)
                ev.evaluate(gi, g, into: &top, pruning: false)
                var fitting = 0
                for i in 0..<ev.batch.count where ev.batch.memoryBytes(at: i) <= cap {
                    fitting += 1
                    let x = ev.batch.inputs(at: i)
                    guard let box = boxes[x.epOverlap == 1 ? 1 : 0] else {
                        return "\(c.label): group \(o) mb\(grp.microBatch) has no box for EP overlap \(x.epOverlap) but a candidate fits"
                    }
                    if let e = Self.escape(x, box.lo, box.hi) {
                        return "\(c.label): group TP\(o.t) CP\(o.c) EP\(o.e) PP\(o.p) mb\(grp.microBatch) candidate \(i): \(e) (TrainingSearch.groupBox)"
                    }
                    // Its row class (v, recompute, EP overlap) from the packed choice.
                    let ch = ev.choices[i]
                    let v = Int(ch >> 24 & 0xFFF), mode = Int(ch >> 36 & 3), oe = Int(ch >> 44 & 1)
                    let ls = TrainingCostModel.stageLayers(layers: m.workload.model.layers, pp: o.p, virtualStages: v)
                    let rc = TrainingSearch.rowClassBox(grp, g, virtualStages: v, stageLayers: ls, mode: mode, expertOverlap: oe,
                                                        overlappedComputeScale: m.overlappedComputeScale, capacity: cap)
                    if let e = Self.escape(x, rc.lo, rc.hi) {
                        return "\(c.label): group TP\(o.t) CP\(o.c) EP\(o.e) PP\(o.p) mb\(grp.microBatch) v\(v) mode \(mode) oe \(oe) candidate \(i): \(e) (TrainingSearch.rowClassBox)"
                    }
                }
                let counted = boxes.reduce(0) { $0 + ($1?.fittingRows ?? 0) } * grp.variants
                if counted != fitting { return "\(c.label): group boxes count \(counted) fitting candidates, \(fitting) fit" }
                // Cached memory per row equals the model's.
                for vi in 0..<grp.vCount {
                    let v = space.vValues[grp.vStart + vi]
                    let st = m.stage(g, virtualStages: v)
                    for (zi, z) in grp.zValues.enumerated() {
                        for (ri, r) in grp.rValues.enumerated() { for (ei, oep) in grp.oepValues.enumerated() {
                            let mem = space.rowMemory[grp.firstRow + grp.row(vi, zi, ri, ei)]
                            let fresh = m.memory(g, stageLayers: st.layers, virtualStages: v, recompute: r, zero: z,
                                                 overlapExpertParallel: oep).total
                            if fresh.bitPattern != mem.bitPattern { return "\(c.label): row v\(v) z\(z) \(r) oep \(oep): cached memory \(mem) vs \(fresh)" }
                        } }
                    }
                }
            }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
