import Testing
@testable import ChipModelKit

private func h100() throws -> ChipParameters {
    ChipParameters(chip: try ChipCatalog.builtIn().chip("h100-sxm5-80gb"))
}

private func zooModel(_ id: String) throws -> ModelSpec { try ModelZoo.builtIn().model(id) }

@Suite struct InferenceTests {
    @Test func decodeStepIsWeightBytesOverBandwidthAtBatchOne() throws {
        let chip = try h100()
        let model = try zooModel("llama3-8b")
        let m = try LLMServingModel(model: model, chip: chip, precision: .bf16, kvPrecision: nil, tp: 1, pp: 1, ep: 1, scaleUpDomain: nil)
        // Decode reads every weight except the input embedding table (a gather) once per step.
        let readBytes = m.decode.terms.reduce(0) { $0 + $1.bytesFixed }
        let expected = (model.totalParams - Double(model.vocab * model.hidden)) * 2
        #expect(abs(readBytes - expected) / expected < 1e-9)
        // Hand computation: bytes / (3350 GB/s x memory fraction) / decode efficiency + overhead.
        let bw = 3350e9 * m.device.calibration.memoryBandwidthFraction
        let hand = expected / bw / m.calibration.decodeEfficiency + m.calibration.stepOverheadSeconds
        let t = m.decode.stepSeconds(batch: 1, context: 0)
        #expect(t >= hand)
        #expect((t - hand) / hand < 0.01) // activations and logits add well under 1%
        #expect(m.kvFormat == .bf16)
    }

    @Test func kvCacheCapacityAndMaxBatch() throws {
        let chip = try h100()
        let model = try zooModel("llama3-70b")
        let m = try LLMServingModel(model: model, chip: chip, precision: .fp8, kvPrecision: nil, tp: 8, pp: 1, ep: 1, scaleUpDomain: nil)
        #expect(m.kvFormat == .fp8)
        // 80 layers x (K + V) x 8 KV heads x 128 x 1 byte, KV heads split over 8 chips.
        #expect(m.kvBytesPerToken == 80 * 2 * 8 * 128 / 8)
        let weights = model.totalParams / 8
        #expect(abs(m.weightsBytes - weights) < 1)
        // 80 GB as marketed = 80 GiB (`ChipParameters.bytesPerMarketedGB`).
        let capacity = 80 * ChipParameters.bytesPerMarketedGB
        let free = capacity - weights - m.workspaceBytes
        // Runtime 1.5 GB + one 8192-token chunk of activations + 10% of what is left.
        let perToken: Double = 4 * 8192 + 2 * 28672 / 8
        let activations: Double = 8192 * perToken * 2
        let beforeKV = 1.5e9 + activations
        #expect(abs(m.workspaceBytes - (beforeKV + 0.1 * (capacity - weights - beforeKV))) < 1)
        #expect(m.maxBatch(tokensPerSequence: 1000) == Int(free / (20480 * 1000)))
        // FP16 KV halves the capacity.
        let m16 = try LLMServingModel(model: model, chip: chip, precision: .fp8, kvPrecision: .fp16, tp: 8, pp: 1, ep: 1, scaleUpDomain: nil)
        #expect(m16.maxBatch(tokensPerSequence: 1000) == Int(free / (40960 * 1000)))
    }

    @Test func mlaCachesTheLatent() throws {
        let model = try zooModel("deepseek-v3")
        #expect(model.attention == .mla)
        let chip = try h100()
        let m = try LLMServingModel(model: model, chip: chip, precision: .fp8, kvPrecision: nil, tp: 8, pp: 2, ep: 8, scaleUpDomain: 16)
        // MLA keeps a 16-bit latent cache by default (FlashMLA is BF16/FP16), even with FP8 weights.
        #expect(m.kvFormat == .bf16)
        #expect(m.kvBytesPerToken == Double(model.layers) / 2 * Double(model.kvLoraRank + model.ropeHeadDim) * 2)
        #expect(m.decode.comms.contains { $0.name.hasPrefix("EP dispatch all-to-all") })
        #expect(m.decode.comms.contains { $0.name.hasPrefix("EP combine all-to-all") })
    }

    @Test func dataParallelAttentionSplitsTheLatentCache() throws {
        let model = try zooModel("deepseek-v3")
        let chip = try h100()
        let tpModel = try LLMServingModel(model: model, chip: chip, precision: .fp8, kvPrecision: nil, tp: 8, pp: 2, ep: 8, scaleUpDomain: 16)
        let dp = try LLMServingModel(model: model, chip: chip, precision: .fp8, kvPrecision: nil, tp: 8, pp: 2, ep: 8, scaleUpDomain: 16, dpAttention: true)
        #expect(dp.dpAttention && dp.ep == 8)
        #expect(dp.kvBytesPerToken == tpModel.kvBytesPerToken / 8)
        #expect(!dp.decode.comms.contains { $0.name.hasPrefix("TP all-reduce") })
        #expect(tpModel.decode.comms.contains { $0.name.hasPrefix("TP all-reduce") })
        // Replicated non-expert weights: more per chip than pure TP, by 7/8 of them.
        let routed = Double(model.moeLayers * model.experts) * model.expertParams
        let extra = (model.totalParams - routed) / 2 * 7 / 8
        #expect(abs(dp.weightsBytes - tpModel.weightsBytes - extra) < 1)
        // Searched for MLA models: a 16-chip DeepSeek-V3 plan reports which attention it chose.
        let w = InferenceWorkload(model: model, scenario: .offline, inputTokens: 1024, outputTokens: 256, precision: .fp8)
        let e = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 16, scaleUpDomain: 16), constraints: PlanConstraints(tp: 8, ep: 8))
        #expect(e.plan.json.contains { $0.0 == "dpAttention" })
    }

    @Test func serverBoundsAreHonoured() throws {
        let chip = try h100()
        let model = try zooModel("llama3-70b")
        let base = InferenceWorkload(model: model, scenario: .offline, inputTokens: 1024, outputTokens: 256, precision: .fp8)
        let plan = PlanConstraints(tp: 8, pp: 1)
        let offline = try InferenceEstimator.estimate(base, on: Cluster(chip: chip, count: 8), constraints: plan)
        var w = base
        w.scenario = .server
        w.tpotBoundMs = 40
        w.ttftBoundMs = 2000
        let server = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 8), constraints: plan)
        #expect(try #require(server.tpotMs) <= 40)
        #expect(try #require(server.ttftMs) <= 2000)
        #expect(server.plan.batch < offline.plan.batch)
        #expect(try #require(server.tokensPerSecond) < #require(offline.tokensPerSecond))
        // The sweep marks which batches meet the bounds; the server rate comes from the queue
        // simulation, whose p99 TTFT and TPOT meet them.
        #expect(server.sweep.contains { !$0.meetsBounds })
        let q = try #require(server.queue)
        let qTPOT = try #require(q.tpotMs), qTTFT = try #require(q.ttftMs)
        #expect(qTPOT[2] <= 40 && qTTFT[2] <= 2000)
        w.tpotBoundMs = 0.01
        #expect(throws: DoesNotFitError.self) { try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 8), constraints: plan) }
    }

    @Test func singleStreamLatencyAddsUp() throws {
        let chip = try h100()
        let w = InferenceWorkload(model: try zooModel("llama3-8b"), scenario: .singleStream, inputTokens: 512, outputTokens: 100, precision: .bf16)
        let e = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 1))
        #expect(e.plan.batch == 1)
        let ttft = try #require(e.ttftMs), tpot = try #require(e.tpotMs), lat = try #require(e.latencyMs)
        #expect(abs(lat - (ttft + 99 * tpot)) < 1e-6 * lat)
        // 16 GB of BF16 weights at ~2.8 TB/s: about 6-9 ms per token.
        #expect(tpot > 5 && tpot < 10)
    }

    @Test func modelThatDoesNotFitSaysHowMuchItNeeds() throws {
        let chip = try h100()
        let w = InferenceWorkload(model: try zooModel("llama3.1-405b"), scenario: .offline, inputTokens: 1024, outputTokens: 128, precision: .bf16)
        do {
            _ = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 2))
            Issue.record("expected DoesNotFitError")
        } catch let e as DoesNotFitError {
            #expect(e.message.contains("needs") && e.message.contains("has 85.9 GB"), "\(e.message)")
        }
    }

    @Test func resnetAndBertFlops() throws {
        let resnet = try zooModel("resnet50-v1.5")
        let shape = ResNetShape(blocks: resnet.resnetBlocks, imageSize: resnet.imageSize)
        // ResNet-50: about 4.1 G multiply-adds and 25.5 M weights per 224x224 image.
        #expect(abs(shape.flops / 8.2e9 - 1) < 0.03)
        #expect(abs(shape.params / 25.5e6 - 1) < 0.03)
        let convFlops = EncoderVisionEstimator.operations(model: resnet, batch: 2, sequence: 1).reduce(0.0) {
            $0 + Roofline.cost($1.op, format: .int8, dies: 1).flops * $1.count
        }
        #expect(abs(convFlops - 2 * shape.flops) / convFlops < 1e-9)
        let bert = try zooModel("bert-large")
        let ops = EncoderVisionEstimator.operations(model: bert, batch: 1, sequence: 384).filter {
            if case .elementwise = $0.op { return false } else { return true }
        }
        let flops = ops.reduce(0.0) { $0 + Roofline.cost($1.op, format: .fp16, dies: 1).flops * $1.count }
        // 2 x 302 M encoder weights x 384 tokens + 4 x 384^2 x 1024 x 24 for attention.
        let weightsPerLayer: Double = 4 * 1024 * 1024 + 2 * 1024 * 4096
        let matmul: Double = 2 * 24 * weightsPerLayer * 384
        let attention: Double = 4 * 384 * 384 * 1024 * 24
        let hand = matmul + attention
        #expect(abs(flops - hand) / hand < 1e-9)
    }

    @Test func encoderAndCNNServing() throws {
        let chip = try h100()
        let rn = InferenceWorkload(model: try zooModel("resnet50-v1.5"), scenario: .offline, inputTokens: 0, outputTokens: 0, precision: .int8)
        let off = try InferenceEstimator.estimate(rn, on: Cluster(chip: chip, count: 8))
        #expect(off.plan.replicas == 8 && off.plan.tp == 1)
        #expect(off.tokensPerSecond == nil && off.samplesPerSecond! > 100_000)
        var srv = rn
        srv.scenario = .server
        let s = try InferenceEstimator.estimate(srv, on: Cluster(chip: chip, count: 8))
        #expect(s.latencyMs! <= 15 && s.queue != nil)  // the simulated p99 within the MLPerf bound
        #expect(s.samplesPerSecond! <= off.samplesPerSecond!)
    }

    @Test func simdStepEqualsScalarBitForBit() throws {
        let chip = try h100()
        let models: [(String, Int, Int, Int)] = [("llama3-70b", 4, 2, 1), ("qwen3-235b-a22b", 8, 1, 8), ("deepseek-v3", 8, 2, 8), ("llama3-8b", 1, 1, 1),
                                                 ("qwen3-30b-a3b", 1, 1, 1)]  // host-bound at the large batches
        for (id, tp, pp, ep) in models {
            let m = try LLMServingModel(model: try zooModel(id), chip: chip, precision: .fp8, kvPrecision: nil, tp: tp, pp: pp, ep: ep, scaleUpDomain: 16)
            let batches = SIMD8<Double>(1, 2, 3, 17, 64, 100, 513, 2048)
            for ctx in [0.0, 300, 4096.5] {
                let v = m.decode.stepSeconds(batches: batches, context: ctx)
                for j in 0..<8 { #expect(v[j].bitPattern == m.decode.stepSeconds(batch: batches[j], context: ctx).bitPattern) }
                let sweep = BatchSweep(decode: m.decode, context: ctx, outputTokens: 300, prefillPerSequenceSeconds: 0.01, prefillLatencySeconds: 0.2)
                let r = sweep.evaluate(batches: batches)
                for j in 0..<8 {
                    let p = sweep.evaluate(batch: batches[j])
                    #expect(r.tokensPerSecond[j].bitPattern == p.tokensPerSecond.bitPattern)
                    #expect(r.tpotSeconds[j].bitPattern == p.tpotSeconds.bitPattern)
                    #expect(r.ttftSeconds[j].bitPattern == p.ttftSeconds.bitPattern)
                }
                let cands = BatchSweep.candidates(maxBatch: 1500)
                for bound in [nil, 0.05, 0.2] as [Double?] {
                    #expect(sweep.best(candidates: cands, tpotBound: bound, ttftBound: 1) == sweep.bestScalar(candidates: cands, tpotBound: bound, ttftBound: 1))
                }
            }
        }
    }

    @Test func commTermsMatchClusterNetwork() throws {
        let chip = try h100()
        let net = ClusterNetwork(chip: chip)
        for n in [2, 4, 8] {
            for perSeq in [16384.0, 1e6] {
                let c = DecodeComm(name: "ar", collective: .allReduce, count: 1, bytesPerSeq: perSeq, n: n, tier: net.scaleUp)
                for b in [1.0, 64, 1024] {
                    let expected = net.time(.allReduce, bytes: perSeq * b, groupSize: n)
                    #expect(abs(c.seconds(batch: b) - expected) <= 1e-12 * max(1, expected) + 1e-15)
                }
            }
        }
    }

    @Test func candidateBatchesAndPlans() throws {
        #expect(BatchSweep.candidates(maxBatch: 10) == [1, 2, 3, 4, 6, 8, 10])
        #expect(BatchSweep.candidates(maxBatch: 1) == [1])
        #expect(BatchSweep.candidates(maxBatch: 0).isEmpty)
        let model = try zooModel("llama3-70b")
        let plans = InferenceEstimator.candidatePlans(model: model, chips: 8, constraints: PlanConstraints(tp: 2), domain: 8)
        #expect(plans.allSatisfy { $0.tp == 2 && $0.ep == 1 && $0.tp * $0.pp <= 8 })
        #expect(plans.map(\.pp) == [1, 2, 4])
        let moe = try zooModel("qwen3-235b-a22b")
        let moePlans = InferenceEstimator.candidatePlans(model: moe, chips: 8, constraints: PlanConstraints(ep: 4), domain: 8)
        #expect(!moePlans.isEmpty && moePlans.allSatisfy { $0.ep == 4 && $0.tp % 4 == 0 })
    }
}
