import Testing
@testable import ChipModelKit

/// Serving mechanisms added after the first large-EP pass (issue 13): MLA attention in 16 bits,
/// measured expert all-to-all kernel ceilings, dynamic prefill/decode roles. Mechanism checks,
/// no deployment figure is a target.
@Suite struct ServingMechanismTests {
    static func chip(_ id: String) throws -> ChipParameters { ChipParameters(chip: try ChipCatalog.builtIn().chip(id)) }
    static func model(_ id: String) throws -> ModelSpec { try ModelZoo.builtIn().model(id) }

    @Test func mlaAttentionRunsInSixteenBitsWithFP8GEMMs() throws {
        let h800 = try Self.chip("h800-sxm5-80gb")
        let mla = try LLMServingModel(model: try Self.model("deepseek-v3"), chip: h800, precision: .fp8, kvPrecision: nil,
                                      tp: 8, pp: 1, ep: 8, scaleUpDomain: nil, dpAttention: true)
        #expect(mla.kvFormat == .bf16 && mla.attentionDevice.computeFormat == .bf16 && mla.device.computeFormat == .fp8)
        let kv = try #require(mla.decode.terms.first { $0.kind == .kvCache })
        #expect(kv.sustainedFlops <= h800.matmulTflops[.bf16]! * 1e12)
        // GQA keeps the FP8 KV cache and FP8 attention.
        let gqa = try LLMServingModel(model: try Self.model("llama3-70b"), chip: h800, precision: .fp8, kvPrecision: nil,
                                      tp: 2, pp: 1, ep: 1, scaleUpDomain: nil)
        #expect(gqa.kvFormat == .fp8 && gqa.attentionDevice.computeFormat == .fp8)
    }

    /// TensorRT-LLM's default admission (`GUARANTEED_NO_EVICT`): a searched batch is capped by
    /// the KV cache with each sequence's whole length (input + output) reserved, while the step
    /// reads the mean context; a given batch above that cap that fits at the mean context ran
    /// (a runtime paging on demand) and is kept, said in the breakdown.
    @Test func searchedBatchReservesEachSequencesWholeLength() throws {
        let h100 = try Self.chip("h100-sxm5-80gb")
        let model = try Self.model("llama3-70b")
        let w = InferenceWorkload(model: model, scenario: .offline, inputTokens: 128, outputTokens: 4096, precision: .fp8)
        let cluster = Cluster(chip: h100, count: 2)
        let plan = PlanConstraints(tp: 2, pp: 1, replicas: 1)
        let m = try LLMServingModel(model: model, chip: h100, precision: .fp8, kvPrecision: nil,
                                    tp: 2, pp: 1, ep: 1, scaleUpDomain: nil)
        let reserved = m.maxBatch(tokensPerSequence: 128 + 4096)
        let onDemand = m.maxBatch(tokensPerSequence: 128 + 2048)
        #expect(reserved > 1 && onDemand > reserved + 10)
        let searched = try InferenceEstimator.estimate(w, on: cluster, constraints: plan)
        #expect(searched.plan.batch <= reserved)
        #expect(searched.explanation.contains { $0.contains("KV-cache limit \(reserved) with 4224 tokens reserved") })
        let given = (reserved + onDemand) / 2
        let g = try InferenceEstimator.estimate(w, on: cluster, constraints: plan, options: .init(batch: given))
        #expect(g.plan.batch == given)
        #expect(g.explanation.contains { $0.contains("batch \(given) exceeds the KV cache with each sequence's whole length reserved (\(reserved))") })
        let heldAtMean = Double(given) * (128 + 2048) * m.kvBytesPerToken
        #expect(abs(g.memory.kvUsedBytes - heldAtMean) <= 1e-9 * heldAtMean)
        // Above the mean-context fit a given batch does not fit.
        #expect(throws: (any Error).self) {
            try InferenceEstimator.estimate(w, on: cluster, constraints: plan, options: .init(batch: onDemand + 1))
        }
    }

    /// Pipeline serving loses GPipe's bubble, m / (m + pp - 1): an eighth at two stages, about
    /// half at eight (the fitted PP 8 row). Two stages on the PCIe RTX PRO 6000 hold half the
    /// weights each and twice the KV cache, so they nearly double one chip's Llama-70B
    /// throughput; a flat 0.67 for every pp > 1 cut that to 1.4x.
    @Test func pipelineBubbleGrowsWithStages() throws {
        #expect(InferenceCalibration.pipelineEfficiency(pp: 1) == 1)
        #expect(abs(InferenceCalibration.pipelineEfficiency(pp: 8) - 0.52) < 0.005)
        for pp in 1..<16 {
            #expect(InferenceCalibration.pipelineEfficiency(pp: pp + 1) < InferenceCalibration.pipelineEfficiency(pp: pp))
        }
        let rtx = try Self.chip("rtx-pro-6000-server")
        let w = InferenceWorkload(model: try Self.model("llama3.1-70b"), scenario: .offline, inputTokens: 1000, outputTokens: 1000,
                                  precision: .fp4)
        func tps(_ pp: Int) throws -> Double {
            try InferenceEstimator.estimate(w, on: Cluster(chip: rtx, count: pp), constraints: PlanConstraints(tp: 1, pp: pp, replicas: 1))
                .tokensPerSecond ?? 0
        }
        let one = try tps(1), two = try tps(2)
        #expect(two > 1.8 * one && two < 3 * one)
    }

    /// A step takes the longer of the chips' iteration and the host's (29.4 us per scheduled
    /// sequence, TensorRT-LLM PR #10273): Qwen3-30B-A3B (3 B active) on one B200 at 2048
    /// sequences waits for its host, at 64 it does not; under data-parallel attention each
    /// rank's scheduler walks only its share; the breakdown still sums to the step.
    @Test func hostTimeBindsASmallActiveModelAtLargeBatch() throws {
        let b200 = try Self.chip("b200-sxm-180gb")
        let qwen = try Self.model("qwen3-30b-a3b")
        let m = try LLMServingModel(model: qwen, chip: b200, precision: .fp4, kvPrecision: nil, tp: 1, pp: 1, ep: 1, scaleUpDomain: 8)
        var chipsOnly = m.decode
        chipsOnly.hostSecondsPerSequence = 0
        let host = 2048 * InferenceCalibration.hostSecondsPerScheduledSequence
        #expect(chipsOnly.stepSeconds(batch: 2048, context: 192) < host)
        #expect(m.decode.stepSeconds(batch: 2048, context: 192) == host)
        #expect(m.decode.stepSeconds(batch: 64, context: 192) == chipsOnly.stepSeconds(batch: 64, context: 192))
        let parts = m.decode.breakdown(batch: 2048, context: 192)
        #expect(parts.last?.name == DecodeStepModel.hostWaitName)
        #expect(abs(parts.reduce(0) { $0 + $1.seconds } - host) < 1e-12)
        #expect(!chipsOnly.breakdown(batch: 2048, context: 192).contains { $0.name == DecodeStepModel.hostWaitName })
        let dp = try LLMServingModel(model: qwen, chip: b200, precision: .fp4, kvPrecision: nil, tp: 8, pp: 1, ep: 8, scaleUpDomain: 8,
                                     dpAttention: true)
        #expect(dp.decode.hostSchedulers == 8)
        #expect(dp.decode.hostSeconds(batch: 2048) == host / 8)
        // The estimate names the host when its batch makes the step host-bound.
        let w = InferenceWorkload(model: qwen, scenario: .offline, inputTokens: 128, outputTokens: 128, precision: .fp4)
        let e = try InferenceEstimator.estimate(w, on: Cluster(chip: b200, count: 1), constraints: PlanConstraints(tp: 1, pp: 1, replicas: 1),
                                                options: .init(batch: 2048))
        #expect(e.binding.hasPrefix("host scheduling"))
    }

    /// The RTX PRO 6000 (GB202, one die, GDDR7, compute capability 12.0) is not the B200's
    /// silicon (GB100, compute capability 10.0): it does not borrow the B200 rows' serving fit
    /// and takes the prior, with the uncalibrated model-error band.
    @Test func rtxPro6000DoesNotBorrowTheB200Fit() throws {
        let rtx = try Self.chip("rtx-pro-6000-server"), b200 = try Self.chip("b200-sxm-180gb")
        #expect(rtx.family != b200.family)
        #expect(InferenceCalibration.isCalibrated(b200.family))
        #expect(!InferenceCalibration.isCalibrated(rtx.family))
        #expect(InferenceCalibration.family(rtx.family) == InferenceCalibration.default)
        #expect(InferenceModelErrorBands.byFamily[rtx.family] == nil)
    }

    /// The estimator's door fills a server workload's missing bounds from the model's MLPerf
    /// rule, so a library caller gets what the CLI gets (llama2-70b: TPOT 200 ms; a tighter
    /// given bound is kept, and a model without a rule keeps the standard defaults).
    @Test func libraryServerWorkloadTakesItsMLPerfRule() throws {
        let h100 = Cluster(chip: try Self.chip("h100-sxm5-80gb"), count: 8)
        let w = InferenceWorkload(model: try Self.model("llama3.1-8b"), scenario: .server, inputTokens: 1024, outputTokens: 256,
                                  precision: .fp8)
        #expect(w.tpotBoundMs == nil)
        let e = try InferenceEstimator.estimate(w, on: h100, constraints: PlanConstraints(tp: 1, replicas: 8))
        #expect(e.explanation.contains { $0.contains("bounds not given, from the model's MLPerf rule") })
        let rule = try #require(MLPerfServerRules.llmBoundsMs(modelID: "llama3.1-8b", ttftMs: nil, tpotMs: nil))
        #expect(rule.tpotMs < StandardRunDefaults.serverTPOTBoundMs)
        #expect((e.queue?.tpotMs?.last ?? .infinity) <= rule.tpotMs)
        var given = w
        given.tpotBoundMs = 50
        given.ttftBoundMs = 1000
        let g = try InferenceEstimator.estimate(given, on: h100, constraints: PlanConstraints(tp: 1, replicas: 8))
        #expect(!g.explanation.contains { $0.contains("bounds not given") })
        #expect((g.queue?.tpotMs?.last ?? .infinity) <= 50)
    }

    @Test func measuredExpertKernelBandwidthCapsTheLink() throws {
        let tier = NetworkTier(name: "t", domainSize: 384, bytesPerSecond: 300e9, latencySeconds: 3e-6)
        #expect(LLMServingModel.expertKernelTier(tier, gbps: 49, ranksPerChip: 2, linkGBps: 392).bytesPerSecond == 98e9)
        // The measured rate replaces the sustained fraction but never exceeds the link.
        #expect(LLMServingModel.expertKernelTier(tier, gbps: 160, ranksPerChip: 2, linkGBps: 392).bytesPerSecond == 320e9)
        #expect(LLMServingModel.expertKernelTier(tier, gbps: 400, ranksPerChip: 2, linkGBps: 392).bytesPerSecond == 392e9)
        #expect(LLMServingModel.expertKernelTier(tier, gbps: nil, ranksPerChip: 2, linkGBps: 392) == tier)
        // The 910C spec carries the DeepEP-Ascend figures and its DP-attention decode pays them.
        let c = try Self.chip("ascend-910c")
        #expect(c.expertDecodeDispatchGBps == 49 && c.expertDecodeCombineGBps == 97)
        let m = try LLMServingModel(model: try Self.model("deepseek-v3"), chip: c, precision: .int8, kvPrecision: nil,
                                    tp: 160, pp: 1, ep: 160, scaleUpDomain: 384, dpAttention: true, twoBatchOverlap: false)
        let dispatch = try #require(m.decode.comms.first { $0.name.hasPrefix("EP dispatch") })
        // 1 B per element, k = 8 rows of 7168 per token, over 2 x 49 GB/s per package.
        let perSeqSeconds = 8.0 * 7168 / 160 * 159 / 160 / 98e9 * 58
        #expect(abs(dispatch.ringPerSeq * dispatch.count - perSeqSeconds) / perSeqSeconds < 1e-9)
    }

    @Test func dynamicRolesServeAtLeastTheBestStaticSplit() throws {
        let m = try Self.model("deepseek-v3")
        let w = InferenceWorkload(model: m, scenario: .offline, inputTokens: 2048, outputTokens: 2048, precision: .int4,
                                  tpotBoundMs: 100, emulate: true)
        let cluster = Cluster(chip: try Self.chip("ascend-910b"), count: 16)
        let plan = DisaggregatedPlan(prefill: InferencePoolPlan(), decode: InferencePoolPlan())
        let e = try InferenceEstimator.estimate(w, on: cluster, constraints: PlanConstraints(disaggregated: plan))
        let fixed = try InferenceEstimator.estimate(w, on: cluster, constraints: PlanConstraints(disaggregated:
            DisaggregatedPlan(prefill: InferencePoolPlan(chips: 8), decode: InferencePoolPlan(chips: 8))))
        let d = try #require(e.disaggregation)
        #expect((e.tokensPerSecond ?? 0) >= (fixed.tokensPerSecond ?? 0))
        if let size = d.dynamicRoleInstanceChips {
            // 1 / (1/λp + 1/λd) per instance, N/s instances.
            let perInstance = 1 / (1 / d.prefillRequestsPerSecond + 1 / d.decodeRequestsPerSecond)
            #expect(abs((e.samplesPerSecond ?? 0) - Double(16 / size) * perInstance) < 1e-9 * perInstance)
            #expect(d.prefillChips + d.decodeChips == 16)
        }
    }

    /// Data-parallel attention runs one rank per device software addresses
    /// (`dies.devicesPerPackage`): MI300X's eight XCDs and B200's two dies are one device and
    /// hold one copy of the non-expert weights, as a one-die H100 does; Ascend 910C's two dies
    /// are two NPUs with a copy each.
    @Test func dataParallelRanksFollowDevicesNotDies() throws {
        var w = InferenceWorkload(model: try Self.model("deepseek-r1"), scenario: .offline, inputTokens: 2000, outputTokens: 1000,
                                  precision: .fp8)
        w.phase = .decode
        w.emulate = true
        let plan = PlanConstraints(ep: 64, dpAttention: .on)
        func weightsGB(_ id: String) throws -> Double {
            let e = try InferenceEstimator.estimate(w, on: Cluster(chip: try Self.chip(id), count: 64), constraints: plan,
                                                    options: .init(batch: 1024))
            return e.memory.weightsBytes / 1e9
        }
        let h100 = try weightsGB("h100-sxm5-80gb")
        #expect(try Self.chip("mi300x").computeDies == 8 && Self.chip("mi300x").devicesPerPackage == 1)
        #expect(abs(try weightsGB("mi300x") - h100) < 1e-6 * h100)
        #expect(abs(try weightsGB("b200-sxm-180gb") - h100) < 1e-6 * h100)
        #expect(try Self.chip("ascend-910c").devicesPerPackage == 2)
        #expect(try weightsGB("ascend-910c") > 1.3 * h100)
    }
}
