import Foundation
import Testing
@testable import ChipModelKit

func gpt3(vocab: Int = 51200) -> ModelSpec {
    ModelSpec(id: "gpt3", name: "GPT-3 175B", architecture: .gpt, layers: 96, hidden: 12288, heads: 96, ffnHidden: 49152,
              vocab: vocab, gatedMlp: false)
}

func smallGPT() -> ModelSpec {
    ModelSpec(id: "gpt-1.3b", name: "GPT 1.3B", architecture: .gpt, layers: 24, hidden: 2048, heads: 16, ffnHidden: 8192,
              vocab: 51200, gatedMlp: false)
}

func a100() throws -> Chip { try ChipCatalog.builtIn().chip("a100-sxm4-80gb") }

func costModel(_ m: ModelSpec, chips: Int, seq: Int = 2048, batch: Int, precision: NumberFormat = .bf16) throws -> TrainingCostModel {
    try TrainingCostModel(workload: TrainingWorkload(model: m, sequenceLength: seq, globalBatch: batch, precision: precision), cluster: Cluster(chip: ChipParameters(chip: try a100()), count: chips, scaleUpDomain: 8))
}

@Suite struct TrainingFormulaTests {
    /// Korthikanti et al. 2022, Table 2, GPT-3 175B (s=2048, b=1, h=12288, a=96, t=8), unfused
    /// attention: no SP sbh(10 + 24/t + 5as/(ht)); SP sbh/t(34 + 5as/h); SP + selective 34sbh/t;
    /// full recompute 2sbh.
    @Test func korthikantiActivationMemory() throws {
        var cm = try costModel(gpt3(), chips: 8, batch: 8)
        cm.fusedAttention = false
        let s = 2048.0, h = 12288.0, a = 96.0, t = 8.0
        let sbh = s * h
        let noSP = try #require(cm.layerCosts(tp: 8, cp: 1, ep: 1, microBatch: 1, sequenceParallel: false))
        #expect(abs(noSP.activationBytes.none - sbh * (10 + 24 / t + 5 * a * s / (h * t))) < 1)
        #expect(abs(noSP.activationBytes.selective - sbh * (10 + 24 / t)) < 1)
        #expect(abs(noSP.activationBytes.full - 2 * sbh) < 1)
        let sp = try #require(cm.layerCosts(tp: 8, cp: 1, ep: 1, microBatch: 1, sequenceParallel: true))
        #expect(abs(sp.activationBytes.none - sbh / t * (34 + 5 * a * s / h)) < 1)
        #expect(abs(sp.activationBytes.selective - 34 * sbh / t) < 1)
        // 34·sbh/t for GPT-3 at t = 8: 107 MB per layer (Korthikanti Table 4's 175B row order).
        #expect(abs(sp.activationBytes.selective / 1e6 - 106.95) < 0.01)
    }

    /// Narayanan 2021: hardware FLOPs with full recompute 96·B·s·l·h²(1 + s/(6h) + V/(16·l·h));
    /// Korthikanti 2022: model FLOPs 72·B·s·l·h²(1 + s/(6h) + V/(12·l·h)).
    @Test func megatronFlops() {
        let w = TrainingWorkload(model: gpt3(), sequenceLength: 2048, globalBatch: 1536, precision: .bf16)
        let B = 1536.0, s = 2048.0, l = 96.0, h = 12288.0, V = 51200.0
        let hw = 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h))
        let model = 72 * B * s * l * h * h * (1 + s / (6 * h) + V / (12 * l * h))
        #expect(abs(w.hardwareFlopsPerStep(recompute: .full) / hw - 1) < 1e-12)
        #expect(abs(w.modelFlopsPerStep / model - 1) < 1e-12)
        // Benchmarks/CASES.md (FLOP conventions, item 8): 1.076e12 FLOP/token for MLPerf GPT-3 (V = 50257).
        let mlperf = TrainingWorkload(model: gpt3(vocab: 50257), sequenceLength: 2048, globalBatch: 1, precision: .bf16)
        #expect(abs(mlperf.modelFlopsPerStep / 2048 / 1.076e12 - 1) < 0.005)
    }

    /// Pipeline bubble (p-1)/v microbatch-times: interleaving with v = 2 halves it.
    @Test func interleavedBubble() throws {
        let cm = try costModel(gpt3(), chips: 64, batch: 64)
        func bubble(_ v: Int) throws -> Double {
            let e = try #require(TrainingEstimator.evaluate(TrainingPlan(tp: 8, pp: 8, dp: 1, microBatch: 1, virtualStages: v,
                                                                         recompute: .selective, zeroStage: 0), model: cm,
                                                        ignoreMemory: true))
            return e.breakdown.bubble / (e.breakdown.forward + e.breakdown.backward + e.breakdown.recompute + e.breakdown.tpExposed) * 64
        }
        let b1 = try bubble(1), b2 = try bubble(2)
        #expect(abs(b1 - 7) < 1e-9)
        #expect(abs(b2 - 3.5) < 1e-9)
    }

    /// Mixed-precision Adam with 16-bit gradients: 20 bytes per parameter unsharded (Megatron's
    /// dist_optimizer.md: 2 + 2 + 16, the 16 being FP32 master, m, v and the FP32 gradient);
    /// ZeRO-1 (the distributed optimizer) shards the 16 optimizer bytes over DP, ZeRO-2 also the
    /// gradients, ZeRO-3 also the weights.
    @Test func zeroMemory() throws {
        let cm = try costModel(smallGPT(), chips: 8, batch: 64)
        let layer = try #require(cm.layerCosts(tp: 1, cp: 1, ep: 1, microBatch: 1, sequenceParallel: false))
        let g = try #require(cm.group(tp: 1, cp: 1, ep: 1, pp: 1, microBatch: 1, sequenceParallel: false, layer: layer))
        let params = cm.stageParams(tp: 1, pp: 1, ep: 1, stageLayers: 24)
        let P = params.dense
        #expect(abs(P - smallGPT().totalParams) / P < 1e-12)
        let z0 = cm.memory(g, stageLayers: 24, virtualStages: 1, recompute: .full, zero: 0)
        #expect(abs(z0.weights + z0.gradients + z0.optimizer - 20 * P) < 1)
        let z1 = cm.memory(g, stageLayers: 24, virtualStages: 1, recompute: .full, zero: 1)
        #expect(abs(z1.optimizer - 16 * P / 8) < 1)
        let z2 = cm.memory(g, stageLayers: 24, virtualStages: 1, recompute: .full, zero: 2)
        #expect(abs(z2.gradients - 2 * P / 8) < 1)
        let z3 = cm.memory(g, stageLayers: 24, virtualStages: 1, recompute: .full, zero: 3)
        #expect(z3.weights < z2.weights)
    }
}

@Suite struct TrainingSearchTests {
    /// The SIMD8 kernel equals the scalar candidate function bit for bit on a seeded sample
    /// (odd count, so the scalar tail is exercised too; some candidates exceed memory).
    @Test func simdMatchesScalarBitForBit() {
        var rng = SplitMix64(seed: 20_240_601)
        func u(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(rng.next() >> 11) / Double(1 << 53) }
        let batch = CandidateBatch(capacity: 16)
        for _ in 0..<1003 {
            batch.append(CandidateInputs(
                microbatches: u(1, 512).rounded(), stageLayers: u(1, 96).rounded(), bubbleFactor: u(0, 63),
                layerForward: u(1e-4, 0.1), extraForward: u(0, 0.05), layerRecompute: u(0, 0.1), tpComm: u(0, 0.05),
                tpHide: u(0, 0.08), tpPasses: u(2, 3).rounded(), epComm: u(0, 0.3), epOverlap: u(0, 1).rounded(),
                computeScale: u(0, 1) < 0.5 ? 1 : u(1, 1.3), chunkShare: 1 / u(1, 8).rounded(), spreadMicrobatches: u(1, 60),
                cpComm: u(0, 0.1), ppComm: u(0, 1),
                dpComm: u(0, 5), dpOverlap: u(0, 1).rounded(), dpParamGather: u(0, 3), paramGatherOverlap: u(0, 1).rounded(),
                zeroGather: u(0, 0.2), optimizer: u(0, 0.1),
                memoryBytes: u(1e9, 150e9)))
        }
        let k = CandidateScalars(residual: 0.3, microbatchOverhead: 1e-3, stepOverhead: 0.05, capacityBytes: 72e9)
        batch.evaluateSIMD(k)
        let simd = (0..<batch.count).map { batch.result(at: $0) }
        batch.evaluateScalar(k)
        let scalar = (0..<batch.count).map { batch.result(at: $0) }
        #expect(simd.count == 1003)
        #expect(simd.contains { !$0.isFinite } && simd.contains { $0.isFinite })
        #expect(zip(simd, scalar).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func searchReturnsValidBestPlan() throws {
        let cm = try costModel(smallGPT(), chips: 16, batch: 64)
        let r = TrainingSearch.run(cm, constraints: PlanConstraints(), options: .init(threads: 2))
        let best = try #require(r.best)
        #expect(best.plan.chips == 16)
        #expect(r.searchSpace > 1000 && r.candidatesEvaluated > 0 && r.candidatesEvaluated <= r.searchSpace && r.feasible > 0)
        #expect(r.top.count == 5)
        #expect(zip(r.top, r.top.dropFirst()).allSatisfy { $0.stepSeconds <= $1.stepSeconds })
        // The search's SIMD time equals the scalar evaluation of the same plan, bit for bit.
        let e = try #require(TrainingEstimator.evaluate(best.plan, model: cm))
        #expect(e.stepSeconds.bitPattern == best.stepSeconds.bitPattern)
        // Deterministic across thread counts.
        let r1 = TrainingSearch.run(cm, constraints: PlanConstraints(), options: .init(threads: 1))
        #expect(r1.top.map(\.plan) == r.top.map(\.plan) && r1.candidatesEvaluated == r.candidatesEvaluated)
        // Fixed fields are held fixed.
        let fixed = TrainingSearch.run(cm, constraints: PlanConstraints(tp: 2, recompute: .full), options: .init(threads: 2))
        #expect(fixed.top.allSatisfy { $0.plan.tp == 2 && $0.plan.recompute == .full })
        #expect(fixed.searchSpace < r.searchSpace)
    }

    @Test func infeasiblePlanCarriesTheReason() throws {
        let w = TrainingWorkload(model: gpt3(), sequenceLength: 2048, globalBatch: 8, precision: .bf16)
        #expect(throws: TrainingInfeasibleError.self) {
            _ = try TrainingEstimator.estimate(w, on: Cluster(chip: ChipParameters(chip: try a100()), count: 8), constraints: PlanConstraints(tp: 8))
        }
        do {
            _ = try TrainingEstimator.estimate(w, on: Cluster(chip: ChipParameters(chip: try a100()), count: 8), constraints: PlanConstraints(tp: 8))
        } catch let e as TrainingInfeasibleError {
            let need = try #require(e.neededBytes), usable = try #require(e.usableBytes)
            #expect(need > usable)
            #expect(e.message.contains("GB per chip") && e.message.contains("usable"))
        }
    }

    @Test func moeAndMlaModelsEstimate() throws {
        let zoo = try ModelZoo.builtIn()
        let ds = try zoo.model("deepseek-v3")
        let cm = try TrainingCostModel(workload: TrainingWorkload(model: ds, sequenceLength: 4096, globalBatch: 512, precision: .bf16), cluster: Cluster(chip: ChipParameters(chip: try ChipCatalog.builtIn().chip("h100-sxm5-80gb")), count: 256))
        let plan = TrainingPlan(tp: 2, pp: 8, dp: 16, ep: 16, microBatch: 1, virtualStages: 1, recompute: .full, zeroStage: 1)
        let e = try #require(TrainingEstimator.evaluate(plan, model: cm, ignoreMemory: true))
        #expect(e.breakdown.epExposed > 0)
        #expect(e.stepSeconds.isFinite && e.mfu > 0 && e.mfu < 1)
    }
}

@Suite struct TrainingCaseEstimatorTests {
    /// Given plan fields are held fixed, absent ones searched; the explanation carries the breakdown.
    @Test func honorsGivenPlanFields() throws {
        let cases = try benchmarkCases()
        let c = try #require(cases.first { $0.id == "TRN-KOR22-04" })
        let e = try TrainingCaseEstimator().estimate(c, catalog: try ChipCatalog.builtIn(), zoo: try ModelZoo.builtIn())
        let plan = Dictionary(e.plan, uniquingKeysWith: { a, _ in a })
        #expect(plan["tp"]?.numberValue == 8 && plan["pp"]?.numberValue == 8 && plan["virtualStages"]?.numberValue == 3)
        #expect(plan["recompute"]?.stringValue == "selective" && plan["sequenceParallel"]?.boolValue == true)
        #expect(e.explanation.contains { $0.hasPrefix("step ") && $0.contains("bubble") })
        #expect(e.value > 0 && e.value.isFinite)
    }

    @Test func scalingTableStartsAtOneDomain() throws {
        let w = TrainingWorkload(model: smallGPT(), sequenceLength: 2048, globalBatch: 64, precision: .bf16)
        let rows = TrainingEstimator.scaling(w, on: Cluster(chip: ChipParameters(chip: try a100()), count: 32), options: TrainingEstimator.Options(search: .init(threads: 2)))
        #expect(rows.map(\.chips) == [8, 16, 32])
        #expect(rows.first?.efficiency == 1)
        #expect(rows.allSatisfy { $0.plan != nil && $0.efficiency > 0.5 && $0.efficiency <= 1.5 })
    }
}

