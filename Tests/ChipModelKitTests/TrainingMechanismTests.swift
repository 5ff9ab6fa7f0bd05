import Foundation
import Testing
@testable import ChipModelKit

/// Mechanism checks of issue 21: published plans that really ran must fit in memory (with a
/// breakdown a reader can add up), and each memory, overlap, MoE and topology mechanism does
/// what its source says. These are not fitted targets: no published time is asserted here.
@Suite struct TrainingMechanismTests {
    static let catalog = Result { try ChipCatalog.builtIn() }
    static let zoo = Result { try ModelZoo.builtIn() }

    static func model(_ chip: String, _ model: String, seq: Int, batch: Int, chips: Int, precision: NumberFormat) throws -> TrainingCostModel {
        let c = ChipParameters(chip: try catalog.get().chip(chip))
        let w = TrainingWorkload(model: try zoo.get().model(model), sequenceLength: seq, globalBatch: batch, precision: precision)
        return try TrainingCostModel(workload: w, cluster: Cluster(chip: c, count: chips))
    }

    /// The published plans of issue 21 (MLPerf Training v4.0 GPT-3 175B, NVIDIA's 512-GPU
    /// config_DGXH100_64x8x128x4x8_mbs2; v5.0/v5.1 Llama 3.1 405B, seq 8192), each with no
    /// recompute, the distributed optimizer and sequence parallelism.
    static let publishedPlans: [(label: String, chip: String, model: String, seq: Int, batch: Int, plan: TrainingPlan)] = [
        ("GPT-3 175B, 512 H100, FP8", "h100-sxm5-80gb", "gpt3-175b", 2048, 2048,
         TrainingPlan(tp: 4, pp: 8, dp: 16, microBatch: 2, virtualStages: 4, recompute: .none, zeroStage: 1)),
        ("Llama 3.1 405B, 512 H100, FP8", "h100-sxm5-80gb", "llama3.1-405b", 8192, 288,
         TrainingPlan(tp: 8, pp: 8, dp: 4, cp: 2, microBatch: 1, virtualStages: 8, recompute: .none, zeroStage: 1)),
        ("Llama 3.1 405B, 256 B200, FP8", "b200-sxm-180gb", "llama3.1-405b", 8192, 1152,
         TrainingPlan(tp: 4, pp: 8, dp: 4, cp: 2, microBatch: 1, virtualStages: 8, recompute: .none, zeroStage: 1)),
        ("Llama 3.1 405B, 512 H200, FP8", "h200-sxm-141gb", "llama3.1-405b", 8192, 1152,
         TrainingPlan(tp: 4, pp: 8, dp: 8, cp: 2, microBatch: 1, virtualStages: 8, recompute: .none, zeroStage: 1)),
    ]

    @Test(arguments: 0..<4)
    func publishedPlanFitsInMemory(_ i: Int) throws {
        let p = Self.publishedPlans[i]
        let cm = try Self.model(p.chip, p.model, seq: p.seq, batch: p.batch, chips: p.plan.chips, precision: .fp8)
        let e = try #require(TrainingEstimator.evaluate(p.plan, model: cm))
        let m = e.memory
        print("\(p.label) \(p.plan): " + m.terms.map { "\($0.0) \(formatQuantity($0.1 / 1e9))" }.joined(separator: " + ")
              + " = \(formatQuantity(m.total / 1e9)) GB of \(formatQuantity(m.usable / 1e9)) usable")
        #expect(e.stepSeconds.isFinite, "\(p.label) does not fit: \(m.total / 1e9) GB of \(m.usable / 1e9)")
        #expect(m.total <= m.usable)
        let sum = m.terms.reduce(0) { $0 + $1.1 }
        #expect(abs(sum - m.total) <= 1e-6 * m.total)
        // The activations are the in-flight chunks of the first stage (Megatron's count).
        #expect(abs(m.activations - Double(m.inFlightChunks) * m.layersPerChunk * m.perLayerActivations) <= 1e-6 * m.activations
                || m.activations > Double(m.inFlightChunks) * m.layersPerChunk * m.perLayerActivations)
        #expect(m.inFlightChunks == p.plan.pp * p.plan.virtualStages + p.plan.pp - 1)
    }

    /// The distributed optimizer shards its 16 bytes per parameter over DP x CP (Megatron-Core's
    /// data-and-context-parallel group).
    @Test func optimizerShardsOverDataAndContextParallel() throws {
        let cm = try Self.model("b200-sxm-180gb", "llama3.1-405b", seq: 8192, batch: 1152, chips: 256, precision: .fp8)
        let plan = TrainingPlan(tp: 4, pp: 8, dp: 4, cp: 2, microBatch: 1, virtualStages: 8, recompute: .none, zeroStage: 1)
        let e = try #require(TrainingEstimator.evaluate(plan, model: cm, ignoreMemory: true))
        let params = cm.stageParams(tp: 4, pp: 8, ep: 1, stageLayers: Double(TrainingCostModel.stageLayers(layers: 126, pp: 8, virtualStages: 8)))
        #expect(abs(e.memory.optimizer - 16 * params.dense / 8) < 1)
        #expect(abs(e.memory.weights - 2 * params.dense) < 1 && abs(e.memory.gradients - 2 * params.dense) < 1)
    }

    /// FP8 training keeps GEMM inputs in FP8 (Transformer Engine): fewer activation bytes than
    /// BF16 for the same plan; Llama (no dropout) keeps no dropout masks, GPT does.
    @Test func fp8StoresGemmInputsInOneByte() throws {
        let f8 = try Self.model("h100-sxm5-80gb", "llama3.1-405b", seq: 8192, batch: 288, chips: 512, precision: .fp8)
        let b16 = try Self.model("h100-sxm5-80gb", "llama3.1-405b", seq: 8192, batch: 288, chips: 512, precision: .bf16)
        let a8 = try #require(f8.layerCosts(tp: 8, cp: 2, ep: 1, microBatch: 1, sequenceParallel: true)).activationBytes.none
        let a16 = try #require(b16.layerCosts(tp: 8, cp: 2, ep: 1, microBatch: 1, sequenceParallel: true)).activationBytes.none
        #expect(a8 < 0.9 * a16)
        // 16-bit GPT: Korthikanti's 34·sbh/t with SP (no scores: fused attention).
        let gpt = try Self.model("a100-sxm4-80gb", "gpt3-175b", seq: 2048, batch: 64, chips: 64, precision: .bf16)
        let g = try #require(gpt.layerCosts(tp: 8, cp: 1, ep: 1, microBatch: 1, sequenceParallel: true)).activationBytes.none
        #expect(abs(g - 34 * 2048 * 12288 / 8) < 1)
    }

    /// Megatron-Core's interleaved schedule holds p·v + p - 1 chunks on the first stage (at most
    /// m·v), 1F1B min(m, p); the EP all-to-all overlap adds one.
    @Test func inFlightChunksFollowMegatronSchedules() {
        #expect(TrainingCostModel.inFlightChunks(pp: 8, virtualStages: 4, microbatches: 64) == 39)
        #expect(TrainingCostModel.inFlightChunks(pp: 8, virtualStages: 4, microbatches: 2) == 8)
        #expect(TrainingCostModel.inFlightChunks(pp: 8, virtualStages: 1, microbatches: 3) == 3)
        #expect(TrainingCostModel.inFlightChunks(pp: 16, virtualStages: 1, microbatches: 120, overlapExpertParallel: true) == 17)
        #expect(TrainingCostModel.inFlightChunks(pp: 1, virtualStages: 1, microbatches: 8) == 1)
    }

    /// TP across the scale-up domain is flagged and gets no comm-GEMM overlap.
    @Test func tensorParallelAcrossTheDomainIsFlaggedAndUnoverlapped() throws {
        let cm = try Self.model("h100-sxm5-80gb", "llama3.1-405b", seq: 8192, batch: 2048, chips: 16384, precision: .bf16)
        let inside = TrainingPlan(tp: 8, pp: 16, dp: 128, microBatch: 1, virtualStages: 4, recompute: .full, zeroStage: 1)
        var across = inside
        across.tp = 16
        across.dp = 64
        let a = try #require(TrainingEstimator.evaluate(inside, model: cm, ignoreMemory: true))
        let b = try #require(TrainingEstimator.evaluate(across, model: cm, ignoreMemory: true))
        #expect(a.scaleUpCrossings.isEmpty && b.scaleUpCrossings == ["tp"])
        #expect(a.inputs.tpHide > 0 && b.inputs.tpHide == 0)
        #expect(TrainingEstimator.crossingNote(b)?.contains("TP16 crosses the 8-chip scale-up domain") == true)
    }

    /// Node-limited routing with per-node dedup sends far less over the NICs than a plain
    /// all-to-all; overlapping the all-to-all hides it behind compute on fewer units.
    @Test func expertParallelMechanisms() throws {
        let cm = try Self.model("h800-sxm5-80gb", "deepseek-v3", seq: 4096, batch: 15360, chips: 2048, precision: .fp8)
        var plain = cm.workload.model
        plain.expertGroups = 0
        plain.expertGroupsPerToken = 0
        var w = cm.workload
        w.model = plain
        let unlimited = try TrainingCostModel(workload: w, cluster: Cluster(chip: cm.chip, count: 2048))
        let limited = try #require(cm.layerCosts(tp: 1, cp: 1, ep: 64, microBatch: 1, sequenceParallel: false))
        let all = try #require(unlimited.layerCosts(tp: 1, cp: 1, ep: 64, microBatch: 1, sequenceParallel: false))
        #expect(limited.epCommSeconds < 0.6 * all.epCommSeconds)
        // DeepSeek-V3: 8 nodes in the EP group, at most 4 per token: 3.5 remote nodes.
        #expect(abs(cm.remoteDomainsPerToken(domains: 8) - 3.5) < 1e-12)
        let base = TrainingPlan(tp: 1, pp: 16, dp: 128, ep: 64, microBatch: 1, recompute: .lightweight, zeroStage: 1,
                                sequenceParallel: false, overlapTensorParallel: false)
        var overlapped = base
        overlapped.overlapExpertParallel = true
        let e0 = try #require(TrainingEstimator.evaluate(base, model: cm, ignoreMemory: true))
        let e1 = try #require(TrainingEstimator.evaluate(overlapped, model: cm, ignoreMemory: true))
        #expect(e1.stepSeconds < e0.stepSeconds)
        #expect(e1.inputs.computeScale > 1 && e0.inputs.computeScale == 1)
        #expect(e1.memory.inFlightChunks == e0.memory.inFlightChunks + 1)
        #expect(e1.scaleUpCrossings == ["ep"])
    }

    /// DeepSeek-V3's own plan (PP16, EP64, ZeRO-1, no TP) with lightweight recompute fits on
    /// H800 (the report trains without full recompute, section 3.2.3).
    @Test func deepSeekV3PublishedPlanFits() throws {
        let cm = try Self.model("h800-sxm5-80gb", "deepseek-v3", seq: 4096, batch: 15360, chips: 2048, precision: .fp8)
        let plan = TrainingPlan(tp: 1, pp: 16, dp: 128, ep: 64, microBatch: 1, recompute: .lightweight, zeroStage: 1,
                                sequenceParallel: false, overlapTensorParallel: false, overlapExpertParallel: true)
        let e = try #require(TrainingEstimator.evaluate(plan, model: cm))
        #expect(e.stepSeconds.isFinite, "needs \(e.memory.total / 1e9) GB of \(e.memory.usable / 1e9)")
    }

    /// Wave quantization (NVIDIA's matrix-multiplication guide, section 3.2).
    @Test func waveQuantization() {
        // 4096 x 2304 output in 128 x 128 tiles: 32 x 18 = 576 tiles on 132 SMs: 5 waves, 87.3% busy.
        let e = TrainingCostModel.waveEfficiency(.gemm(m: 4096, n: 2304, k: 16384), computeUnits: 132)
        #expect(abs(e - 576.0 / 660.0) < 1e-12)
        #expect(TrainingCostModel.waveEfficiency(.gemm(m: 128 * 132, n: 128, k: 64), computeUnits: 132) == 1)
        #expect(TrainingCostModel.waveEfficiency(.gemm(m: 4096, n: 2304, k: 16384), computeUnits: nil) == 1)
        #expect(TrainingCostModel.waveEfficiency(.elementwise(bytes: 1e9), computeUnits: 132) == 1)
    }

    /// Every estimate carries its family's model-error band; an uncalibrated family gets the
    /// wider one.
    @Test func estimatesCarryTheModelErrorBand() throws {
        let h = try Self.model("h100-sxm5-80gb", "llama3-70b", seq: 8192, batch: 64, chips: 64, precision: .bf16)
        let b = try Self.model("br166", "llama3-70b", seq: 8192, batch: 64, chips: 64, precision: .bf16)
        let plan = TrainingPlan(tp: 8, pp: 1, dp: 8, microBatch: 1, recompute: .full, zeroStage: 1)
        let eh = try #require(TrainingEstimator.evaluate(plan, model: h, ignoreMemory: true))
        let eb = try #require(TrainingEstimator.evaluate(plan, model: b, ignoreMemory: true))
        #expect(eh.modelErrorBand == ModelErrorBands.training(family: "nvidia-hopper"))
        #expect(eb.modelErrorBand == ModelErrorBands.trainingUncalibrated)
        #expect(eb.modelErrorBand.high - eb.modelErrorBand.low >= eh.modelErrorBand.high - eh.modelErrorBand.low)
        let r = eh.modelErrorBand.trueRange(low: 100, high: 100)
        #expect(r.low < 100 && r.high > 100)
    }
}
