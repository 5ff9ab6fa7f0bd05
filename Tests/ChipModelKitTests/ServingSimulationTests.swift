import Testing
@testable import ChipModelKit

/// The serving queue simulation (Estimation/Serving): the fast simulators against the obvious
/// reference loops, the analytic approximations against the simulations, the rate search and
/// the MLPerf rules. No wall-clock checks (speed lives in chipmodel-bench).
@Suite struct ServingSimulationTests {
    /// A Llama-70B-on-8-GPUs-like replica: 25 ms per iteration plus per-sequence, per-prompt-
    /// token and per-context-token costs (plain numbers, not derived from a chip here).
    static let step = ServingStepModel(fixedSeconds: 0.025, perDecodeSequenceSeconds: 0.00005,
                                       perPrefillTokenSeconds: 0.000012, perContextTokenSeconds: 1e-8)

    static func config(chunk: Int? = 2048, maxRunning: Int = 256, kv: Int = 400_000, accepted: Double = 1) -> ContinuousBatchingConfig {
        ContinuousBatchingConfig(step: step, maxRunningSequences: maxRunning, kvCapacityTokens: kv, chunkTokens: chunk,
                                 acceptedTokensPerStep: accepted)
    }

    static func load(_ n: Int, input: TokenCountDistribution = .uniform(min: 50, max: 1500),
                     output: TokenCountDistribution = .uniform(min: 2, max: 500), phase: ServingPhase = .both,
                     seed: UInt64 = 7) -> ServingLoad {
        ServingLoad(requests: n, warmupRequests: n / 10, inputTokens: input, outputTokens: output, phase: phase, seed: seed)
    }

    // MARK: fast == reference

    @Test func continuousBatchingMatchesReferenceLoop() throws {
        let cases: [(ServingLoad, ContinuousBatchingConfig, Double)] = [
            (Self.load(800), Self.config(), 4.0),                                         // chunked prefill, moderate load
            (Self.load(800), Self.config(chunk: nil), 6.0),                               // whole prompts
            (Self.load(600), Self.config(maxRunning: 24, kv: 20_000), 8.0),               // slots and KV limit, overload
            (Self.load(600), Self.config(chunk: 300, accepted: 1.7), 3.0),                // MTP-like 1.7 tokens/step, small chunk
            (Self.load(600, output: .fixed(128)), Self.config(), 5.0),                    // fixed lengths
            (Self.load(600, phase: .decodeOnly), Self.config(maxRunning: 64), 2.0),       // decode pool
            (Self.load(800, phase: .prefillOnly), Self.config(chunk: 4096), 20.0),        // prefill pool
        ]
        for (k, (load, config, rate)) in cases.enumerated() {
            let stream = try ServingRequestStream(load)
            let fast = try ContinuousBatchingSimulator.simulate(stream, ratePerSecond: rate, config: config, phase: load.phase)
            let slow = try ContinuousBatchingReference.simulate(stream, ratePerSecond: rate, config: config, phase: load.phase)
            #expect(fast == slow, "case \(k): fast and reference traces differ")
            #expect(fast.finishSeconds.allSatisfy { $0.isFinite }, "case \(k): unfinished requests")
            for i in 0..<stream.count {
                #expect(fast.firstTokenSeconds[i] >= fast.arrivalSeconds[i] && fast.finishSeconds[i] >= fast.firstTokenSeconds[i],
                        "case \(k) request \(i): times out of order")
            }
        }
    }

    @Test func dynamicBatchingMatchesReferenceLoop() throws {
        let load = ServingLoad(requests: 3000, inputTokens: .fixed(1), outputTokens: .fixed(1), phase: .prefillOnly, seed: 11)
        let stream = try ServingRequestStream(load)
        let configs = [
            DynamicBatchingConfig(servers: 1, maxBatch: 32, batchTimeoutSeconds: 0, fixedSeconds: 0.001, perSampleSeconds: 0.0001),
            DynamicBatchingConfig(servers: 4, maxBatch: 16, batchTimeoutSeconds: 0.002, fixedSeconds: 0.002, perSampleSeconds: 0.0002),
            DynamicBatchingConfig(servers: 8, maxBatch: 64, batchTimeoutSeconds: 0.0005, fixedSeconds: 0.0005, perSampleSeconds: 0.00002),
            DynamicBatchingConfig(servers: 3, maxBatch: 16, batchTimeoutSeconds: 0.001, fixedSeconds: 0.002, perSampleSeconds: 0.0002,
                                  routing: .roundRobin),
        ]
        for (k, c) in configs.enumerated() {
            for rate in [500.0, 5000.0, 40_000.0] {
                let fast = try DynamicBatchingSimulator.simulate(stream, ratePerSecond: rate, config: c)
                let slow = try DynamicBatchingSimulator.simulateReference(stream, ratePerSecond: rate, config: c)
                #expect(fast == slow, "config \(k) rate \(rate): traces differ")
            }
        }
    }

    @Test func sameSeedSameTraceOtherSeedOther() throws {
        let a = try ServingRequestStream(Self.load(500, seed: 1))
        let b = try ServingRequestStream(Self.load(500, seed: 1))
        let c = try ServingRequestStream(Self.load(500, seed: 2))
        #expect(a.unitArrivalSeconds == b.unitArrivalSeconds && a.inputTokens == b.inputTokens)
        #expect(a.unitArrivalSeconds != c.unitArrivalSeconds)
        // Poisson: mean unit gap 1 (standard error 1/sqrt(n) ~ 4.5% at n = 500).
        #expect(abs(a.unitArrivalSeconds[499] / 500 - 1) < 0.2)
    }

    // MARK: analytic vs simulation

    @Test func analyticContinuousBatchingTracksSimulation() throws {
        let load = Self.load(6000, input: .fixed(600), output: .fixed(200))
        let stream = try ServingRequestStream(load)
        let config = Self.config(chunk: 8192, maxRunning: 512, kv: 2_000_000)
        let cap = ServingAnalytic.continuousBatching(config: config, ratePerSecond: 0, meanInputTokens: 600, meanOutputTokens: 200,
                                                     phase: .both).capacityRequestsPerSecond
        for fraction in [0.3, 0.6, 0.85] {
            let rate = cap * fraction
            let est = ServingAnalytic.continuousBatching(config: config, ratePerSecond: rate, meanInputTokens: 600,
                                                         meanOutputTokens: 200, phase: .both)
            let sim = try ContinuousBatchingSimulator.run(stream, ratePerSecond: rate, config: config, phase: .both,
                                                          warmupRequests: 1000)
            let rel = sim.tpot.meanSeconds / est.meanTPOTSeconds - 1
            #expect(abs(rel) < 0.03, "load \(fraction): simulated mean TPOT \(sim.tpot.meanSeconds) vs analytic \(est.meanTPOTSeconds)")
            // Little's law on the decode population.
            #expect(abs(sim.meanBatch / (est.decodingSequences + rate * est.iterationSeconds) - 1) < 0.08,
                    "load \(fraction): mean batch \(sim.meanBatch) vs analytic \(est.decodingSequences)")
        }
        // Past capacity the replica completes requests at about the capacity.
        let over = try ContinuousBatchingSimulator.run(stream, ratePerSecond: cap * 2, config: config, phase: .both,
                                                       warmupRequests: 1000)
        #expect(abs(over.completedRequestsPerSecond / cap - 1) < 0.05,
                "saturated rate \(over.completedRequestsPerSecond) vs analytic capacity \(cap)")
    }

    @Test func analyticSlotCapacityTracksSimulation() throws {
        // Few slots: the replica saturates at N_cap running sequences.
        let load = Self.load(4000, input: .fixed(400), output: .fixed(300))
        let stream = try ServingRequestStream(load)
        let config = Self.config(chunk: 4096, maxRunning: 32)
        let cap = ServingAnalytic.continuousBatching(config: config, ratePerSecond: 0, meanInputTokens: 400, meanOutputTokens: 300,
                                                     phase: .both).capacityRequestsPerSecond
        let over = try ContinuousBatchingSimulator.run(stream, ratePerSecond: cap * 3, config: config, phase: .both,
                                                       warmupRequests: 500)
        #expect(abs(over.completedRequestsPerSecond / cap - 1) < 0.08)
        #expect(abs(over.meanBatch - 32) < 2)
    }

    @Test func analyticDynamicBatchingTracksSimulation() throws {
        let load = ServingLoad(requests: 40_000, warmupRequests: 2000, inputTokens: .fixed(1), outputTokens: .fixed(1),
                               phase: .prefillOnly, seed: 3)
        let stream = try ServingRequestStream(load)
        for servers in [1, 8] {
            let c = DynamicBatchingConfig(servers: servers, maxBatch: 256, batchTimeoutSeconds: 0, fixedSeconds: 0.002,
                                          perSampleSeconds: 0.00002, routing: .roundRobin)
            let cap = ServingAnalytic.dynamicBatching(config: c, ratePerSecond: 0).capacitySamplesPerSecond
            for fraction in [0.3, 0.7] {
                let rate = cap * fraction
                let est = ServingAnalytic.dynamicBatching(config: c, ratePerSecond: rate)
                let sim = try DynamicBatchingSimulator.run(stream, ratePerSecond: rate, config: c, warmupRequests: 2000)
                #expect(abs(sim.latency.meanSeconds / est.meanLatencySeconds - 1) < 0.05,
                        "\(servers) chips at \(fraction): mean \(sim.latency.meanSeconds) vs \(est.meanLatencySeconds)")
                #expect(abs(sim.latency.p99Seconds / est.p99LatencySeconds - 1) < 0.10,
                        "\(servers) chips at \(fraction): p99 \(sim.latency.p99Seconds) vs \(est.p99LatencySeconds)")
                #expect(abs(sim.meanBatch / est.batchSize - 1) < 0.06)
            }
        }
    }

    // MARK: search and rules

    @Test func rateSearchFindsTheBoundary() throws {
        let load = Self.load(2000, input: .uniform(min: 100, max: 1000), output: .uniform(min: 20, max: 400))
        let config = Self.config()
        let bounds = ServingLatencyBounds(ttftSeconds: 2.0, tpotSeconds: 0.06)
        let found = try #require(try ServerRateSearch.continuousBatching(load: load, config: config, bounds: bounds))
        #expect(bounds.isMet(by: found.result))
        let above = try #require(found.failingRatePerSecond)
        #expect(above > found.ratePerSecond && above <= found.ratePerSecond * 1.01)
        let stream = try ServingRequestStream(load)
        let failing = try ContinuousBatchingSimulator.run(stream, ratePerSecond: above, config: config, phase: .both,
                                                          warmupRequests: load.warmupRequests)
        #expect(!bounds.isMet(by: failing))
        // A tighter TPOT bound cannot allow a higher rate.
        let tight = try #require(try ServerRateSearch.continuousBatching(load: load, config: config,
                                                                           bounds: ServingLatencyBounds(ttftSeconds: 2.0, tpotSeconds: 0.045)))
        #expect(tight.ratePerSecond <= found.ratePerSecond)
        // A bound below the unloaded step time cannot be met at any rate.
        #expect(try ServerRateSearch.continuousBatching(load: load, config: config,
                                                        bounds: ServingLatencyBounds(tpotSeconds: 0.01)) == nil)
    }

    @Test func dynamicBatchingSearchMeetsTheResNetBound() throws {
        let rule = try #require(MLPerfServerRules.rule("resnet50"))
        let load = ServingLoad(requests: 20_000, warmupRequests: 1000, inputTokens: .fixed(1), outputTokens: .fixed(1),
                               phase: .prefillOnly, seed: 5)
        let c = DynamicBatchingConfig(servers: 8, maxBatch: 256, batchTimeoutSeconds: 0, fixedSeconds: 0.001, perSampleSeconds: 0.00002)
        let found = try #require(try ServerRateSearch.dynamicBatching(load: load, config: c, bounds: rule.bounds))
        #expect(found.result.latency.p99Seconds <= 0.015)
        let cap = ServingAnalytic.dynamicBatching(config: c, ratePerSecond: 0).capacitySamplesPerSecond
        #expect(found.ratePerSecond < cap)
    }

    @Test func mlperfRulesAreTheDocumentedBounds() throws {
        #expect(MLPerfServerRules.rule("resnet50")?.bounds.latencySeconds == 0.015)
        #expect(MLPerfServerRules.rule("bert")?.bounds.latencySeconds == 0.130)
        let l = try #require(MLPerfServerRules.rule("llama2-70b"))
        #expect(l.bounds.ttftSeconds == 2.0 && l.bounds.tpotSeconds == 0.2 && l.bounds.percentile == 0.99)
        let i = try #require(MLPerfServerRules.rule("llama2-70b", scenario: "interactive"))
        #expect(i.bounds.ttftSeconds == 0.45 && i.bounds.tpotSeconds == 0.04)
        #expect(l.minDurationSeconds == 600 && l.minQueryCount == 270_336)
        #expect(Set(MLPerfServerRules.all.map { "\($0.benchmark)/\($0.scenario)" }).count == MLPerfServerRules.all.count)
    }

    @Test func selectionPercentilesEqualSortedOnes() {
        var rng = ChipModelKit.SplitMix64(seed: 99)
        for n in [1, 2, 3, 10, 99, 100, 101, 1000, 4097] {
            for duplicates in [false, true] {
                let v: [Double] = (0..<n).map { _ in duplicates ? Double(rng.next() % 7) : rng.nextUnit() } + [.nan]
                let s = LatencySummary(v)
                #expect(s.count == n)
                #expect(s.p50Seconds == LatencySummary.sortedPercentile(v, 0.50), "n \(n)")
                #expect(s.p90Seconds == LatencySummary.sortedPercentile(v, 0.90), "n \(n)")
                #expect(s.p99Seconds == LatencySummary.sortedPercentile(v, 0.99), "n \(n)")
                #expect(s.maxSeconds == v.filter { $0.isFinite }.max())
            }
        }
        #expect(LatencySummary([Double.nan]).count == 0)
    }

    @Test func decodeStepsMatchTheTokenRule() {
        for a in [1.0, 1.1, 1.7, 2.0, 2.9] {
            let c = Self.config(accepted: a)
            for out in 1...300 {
                let s = c.decodeSteps(outputTokens: out)
                #expect(Double(s) * a >= Double(out - 1))
                #expect(s == 0 || Double(s - 1) * a < Double(out - 1))
            }
        }
    }

    @Test func badInputsAreNamed() throws {
        #expect(throws: ServingInputError.self) { try ServingRequestStream(Self.load(0)) }
        #expect(throws: ServingInputError.self) {
            try ServingRequestStream(ServingLoad(requests: 10, inputTokens: .fixed(10), outputTokens: .fixed(0)))
        }
        let stream = try ServingRequestStream(Self.load(50))
        #expect(throws: ServingInputError.self) {
            try ContinuousBatchingSimulator.simulate(stream, ratePerSecond: -1, config: Self.config(), phase: .both)
        }
        #expect(throws: ServingInputError.self) {
            try ContinuousBatchingSimulator.simulate(stream, ratePerSecond: 1, config: Self.config(kv: 100), phase: .both)
        }
        var zero = Self.config()
        zero.step = ServingStepModel(fixedSeconds: 0)
        #expect(throws: ServingInputError.self) {
            try ContinuousBatchingSimulator.simulate(stream, ratePerSecond: 1, config: zero, phase: .both)
        }
        do {
            _ = try ContinuousBatchingSimulator.simulate(stream, ratePerSecond: .nan, config: Self.config(), phase: .both)
            Issue.record("NaN rate accepted")
        } catch let e as ServingInputError {
            #expect(e.message.contains("arrival rate"))
        }
    }
}
