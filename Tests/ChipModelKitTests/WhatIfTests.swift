import Testing
@testable import ChipModelKit

@Suite struct ChipDerivationTests {
    @Test func derivesBR20XFromBR166() throws {
        let t = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips)
        let c = try t.derive([("fp8DenseTflops", 2000), ("memory.bandwidthGBps", 4000), ("d2d.bandwidthGBps", 1792)], name: "my-br20x")
        #expect(c.id == "my-br20x")
        #expect(c.name == "my-br20x")
        #expect(c.densePeaks[.fp8]?.nominal == 2000)
        #expect(c.densePeaks[.fp8]?.source.key == ChipTemplate.whatIfSourceKey)
        #expect(c.densePeaks[.fp8]?.confidence == .estimated)
        #expect(c.densePeaks[.fp8]?.hasRange == false)
        #expect(c.memory.bandwidthGBps?.nominal == 4000)
        #expect(c.memory.bandwidthGBps?.note?.contains("was 1640") == true)
        #expect(c.d2d?.bandwidth.perDirectionGBps() == 896)
        // Untouched values keep their provenance and range.
        #expect(c.densePeaks[.bf16] == t.chip.densePeaks[.bf16])
        #expect(c.memory.capacityGB == t.chip.memory.capacityGB)
    }

    @Test func addsAKeyTheChipLacks() throws {
        let t = try ChipTemplate.find("a100-sxm4-80gb", in: EmbeddedSpecs.chips)
        #expect(t.chip.densePeaks[.fp8] == nil)
        let c = try t.derive([("fp8DenseTflops", 624)])
        #expect(c.densePeaks[.fp8]?.nominal == 624)
        #expect(c.id == t.chip.id)
        // A D2D link on a monolithic chip is added with an explicit direction convention.
        let d = try t.derive([("d2d.bandwidthGBps", 1000)])
        #expect(d.d2d?.bandwidth.direction == .bidirectional)
    }

    @Test func unknownKeyListsValidOnesWithSuggestion() throws {
        let t = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips)
        #expect(throws: WhatIfKeyError.self) { try t.derive([("fp8DenseTflop", 1)]) }
        do {
            try t.checkKey("memory.bandwidthGbps")
            Issue.record("expected an error")
        } catch {
            #expect(error.suggestions.first == "memory.bandwidthGBps")
            #expect(error.description.contains("did you mean 'memory.bandwidthGBps'"))
            #expect(error.description.contains("scaleUp.domainSize"))
        }
        // The chip's own keys come first, in file order.
        #expect(Array(t.settableKeys.prefix(3)) == ["year", "dies.computeDies", "dies.computeDieAreaMm2"])
    }

    @Test func derivedChipIsValidated() throws {
        let t = try ChipTemplate.find("h100-sxm5-80gb", in: EmbeddedSpecs.chips)
        // A sparse peak below the dense one is rejected by the spec decoder, naming the key.
        #expect(throws: InputError.self) { try t.derive([("bf16SparseTflops", 10)]) }
        #expect(throws: InputError.self) { try t.derive([("dies.computeDies", 1.5)]) }
        #expect(throws: InputError.self) { try t.derive([("memory.bandwidthGBps", -1)]) }
        #expect(ChipTemplate.id(forName: "My BR20X (hypo)") == "my-br20x-hypo")
    }
}

@Suite struct SweepTests {
    @Test func parsesListsAndRanges() throws {
        #expect(try SweepAxis.parse("d2d.bandwidthGBps=448,896,1792,3584").values == [448, 896, 1792, 3584])
        #expect(try SweepAxis.parse("chips=256..8192*2").values == [256, 512, 1024, 2048, 4096, 8192])
        #expect(try SweepAxis.parse("x=1000..4000+500").values == [1000, 1500, 2000, 2500, 3000, 3500, 4000])
        #expect(try SweepAxis.parse("x=0.1..0.3+0.1").values.count == 3)
        #expect(try SweepAxis.parse("chips=256..8192*2").spansDecade)
        #expect(try !SweepAxis.parse("d=448,896,1792,3584").spansDecade)
    }

    @Test(arguments: ["chips", "chips=", "=1,2", "x=1..8", "x=1..8*1", "x=8..1*2", "x=0..8*2", "x=1..8+0", "x=1,,2",
                      "x=a,b", "x=1..1e9+1", "x=1..inf*2"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: SweepSyntaxError.self) { try SweepAxis.parse(text) }
    }

    @Test func gridIsFirstAxisOutermost() {
        let g = SweepPoint.grid([SweepAxis(name: "a", values: [1, 2]), SweepAxis(name: "b", values: [10, 20, 30])])
        #expect(g.count == 6)
        #expect(g[1]["a"] == 1 && g[1]["b"] == 20)
        #expect(g[3]["a"] == 2 && g[3]["b"] == 10)
        #expect(SweepPoint.grid([]).count == 1)
    }

    /// A metric with a workload parameter, as the training estimator will have.
    static let chipsMetric = WhatIfMetric(label: "test", parameters: ["chips"]) { chip, point, _ in
        let bw = chip.memory.bandwidthGBps?.nominal ?? 0
        let chips = point["chips"] ?? 1
        return MetricRow(metrics: [MetricValue(name: "x", unit: "GB/s", nominal: bw * chips)], binding: "memory")
    }

    @Test func sweepDerivesEachPoint() throws {
        let t = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips)
        let s = WhatIfSweep(templates: [t], sets: [("tdpW", 700)],
                            axes: [SweepAxis(name: "memory.bandwidthGBps", values: [1000, 2000]), SweepAxis(name: "chips", values: [1, 4])],
                            metric: Self.chipsMetric)
        var calls = 0
        let r = try s.run { done, total in calls += 1; #expect(done <= total) }
        #expect(calls == 4)
        #expect(r.map { $0.row.headline?.nominal } == [1000, 4000, 2000, 8000])
        #expect(r.allSatisfy { $0.chip.tdpW?.nominal == 700 })
        let bad = WhatIfSweep(templates: [t], axes: [SweepAxis(name: "chip", values: [1])], metric: Self.chipsMetric)
        #expect(throws: WhatIfKeyError.self) { try bad.run() }
        let three = WhatIfSweep(templates: [t], axes: ["a", "b", "c"].map { SweepAxis(name: $0, values: [1]) }, metric: Self.chipsMetric)
        #expect(throws: SweepSyntaxError.self) { try three.validate() }
    }

    @Test func rooflineD2DSweepFindsWhereTheLinkStopsBinding() throws {
        let t = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips)
        let model = try ModelZoo.builtIn().model("llama3-70b")
        let w = RooflineLayerWorkload(model: model, mode: .training, batch: 8, seq: 4096, format: .bf16)
        let s = WhatIfSweep(templates: [t], axes: [try SweepAxis.parse("d2d.bandwidthGBps=14..3584*2")], metric: w.whatIfMetric)
        let r = try s.run()
        #expect(r.first?.row.binding == "d2d")
        #expect(r.last?.row.binding == "compute")
        let tps = r.compactMap { $0.row.headline?.nominal }
        // Monotone non-decreasing in the link bandwidth, flat once the link stops binding.
        for i in 1..<tps.count { #expect(tps[i] >= tps[i - 1] * (1 - 1e-12)) }
        #expect(tps[tps.count - 1] == tps[tps.count - 2])
        #expect(tps[0] < tps[tps.count - 1])
    }
}

@Suite struct RooflineLayerMetricTests {
    @Test func equalsTheSumOfRooflineOperations() throws {
        let model = try ModelZoo.builtIn().model("llama3-70b")
        let chip = try ChipCatalog.builtIn().chip("h100-sxm5-80gb")
        let p = ChipParameters(chip: chip)
        let device = try RooflineDevice(chip: p, format: .bf16)
        for mode in RooflineLayerWorkload.Mode.allCases {
            let w = RooflineLayerWorkload(model: model, mode: mode, batch: 4, seq: 2048, format: .bf16)
            let seconds = w.operations.map { Roofline.evaluate($0, on: device).seconds }.reduce(0, +)
            let tokens = Double(mode == .inference ? 4 : 4 * 2048)
            let passes = mode == .training ? 3.0 : 1.0
            let expected = tokens / (seconds * passes * Double(model.layers))
            let r = try w.evaluate(p)
            #expect(abs(r.tokensPerSecond - expected) <= 1e-9 * expected)
            #expect(r.utilization > 0 && r.utilization <= 1)
        }
        // Decode at small batch reads every weight once per token: memory-bound.
        let decode = RooflineLayerWorkload(model: model, mode: .inference, batch: 1, seq: 1024, format: .bf16)
        #expect(try decode.evaluate(p).binding == .memory)
        // A format the chip lacks is an error unless emulated.
        let a100 = ChipParameters(chip: try ChipCatalog.builtIn().chip("a100-sxm4-80gb"))
        #expect(throws: UnsupportedFormatError.self) { try RooflineLayerWorkload(model: model, mode: .training, batch: 1, seq: 128, format: .fp8).evaluate(a100) }
        #expect(try RooflineLayerWorkload(model: model, mode: .training, batch: 1, seq: 128, format: .fp8, emulate: true).evaluate(a100).tokensPerSecond > 0)
    }
}

@Suite struct UncertaintyTests {
    @Test func cornersBracketNominal() throws {
        let br166 = try ChipCatalog.builtIn().chip("br166")
        #expect(br166.hasRanges)
        let r = try evaluateWithRanges(br166) { $0.memoryBandwidthGBps ?? 0 }
        #expect(r.low == 1400 && r.nominal == 1640 && r.high == 1840)
        // A time (lower is better) still gets low <= nominal <= high.
        let t = try evaluateWithRanges(br166) { 1 / ($0.matmulTflops[.bf16] ?? 1) }
        #expect(t.low == 1.0 / 1120 && t.high == 1.0 / 678)
        // A chip without ranged values has an exact result.
        let exact = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips).chip
        var point = exact
        point.memory.bandwidthGBps = SpecValue(1640, confidence: .pressAnalyst, source: SourceRef(key: "x", title: "x"))
        let e = try evaluateWithRanges(point) { $0.memoryBandwidthGBps ?? 0 }
        #expect(e.low == e.high || point.hasRanges)
    }

    @Test func monteCarloIsSeededAndInsideTheCorners() throws {
        let br166 = try ChipCatalog.builtIn().chip("br166")
        let metric: @Sendable (ChipParameters) -> Double = { ($0.matmulTflops[.bf16] ?? 0) + ($0.memoryBandwidthGBps ?? 0) }
        let a = try MonteCarlo.run(br166, samples: 500, seed: 42, metric)
        let b = try MonteCarlo.run(br166, samples: 500, seed: 42, metric)
        let c = try MonteCarlo.run(br166, samples: 500, seed: 43, metric)
        #expect(a == b)
        #expect(a != c)
        let corners = try evaluateWithRanges(br166, metric)
        #expect(a.p5 <= a.p50 && a.p50 <= a.p95)
        #expect(a.p5 >= corners.low && a.p95 <= corners.high)
    }

    @Test func triangularSamplesMatchTheDistribution() {
        var rng = ChipModelKit.SplitMix64(seed: 7)  // qualified: test targets may define their own
        let n = 20_000
        let s = MonteCarlo.triangularSamples(low: 1, mode: 2, high: 6, count: n, rng: &rng)
        #expect(s.allSatisfy { $0 >= 1 && $0 <= 6 })
        let mean = s.reduce(0, +) / Double(n)
        #expect(abs(mean - 3) < 0.05)  // (a + b + c) / 3
        // P(X < c) = (c - a) / (b - a) = 0.2
        let below = Double(s.filter { $0 < 2 }.count) / Double(n)
        #expect(abs(below - 0.2) < 0.02)
    }
}

@Suite struct RoadmapTests {
    /// The real catalog's Biren parts: data-center line first, edge cards (spec key `segment`)
    /// after it as their own line.
    @Test func ordersPartsBySegmentAndYear() throws {
        let catalog = try ChipCatalog.builtIn()
        let parts = try Roadmap.parts(vendor: "BIREN", in: catalog)
        #expect(parts.map(\.id) == ["br104", "br100", "br106", "br166", "br20x", "br30x", "br110", "br31x"])
        let preds = Roadmap.predecessors(parts)
        let pred = Dictionary(uniqueKeysWithValues: zip(parts.map(\.id), preds.map { $0.map { parts[$0].id } }))
        // The data-center chain BR106 -> BR166 -> BR20X -> BR30X and the edge line BR110 -> BR31X.
        #expect(pred["br166"] == "br106" && pred["br20x"] == "br166" && pred["br30x"] == "br20x")
        #expect(pred["br31x"] == "br110")
        #expect(pred["br110"] == .some(nil) && pred["br104"] == .some(nil) && pred["br100"] == .some(nil))
        // A single-die part follows the previous single-die part (BR104 -> BR106), not the
        // two-die BR100 of the same year; an edge card never steps into the data-center line.
        #expect(pred["br106"] == "br104")
        #expect(throws: UnknownIDError.self) { try Roadmap.parts(vendor: "nvdia", in: catalog) }
    }

    @Test func segmentIsDecodedAndValidated() throws {
        let catalog = try ChipCatalog.builtIn()
        #expect(try catalog.chip("br110").segment == .edge)
        #expect(try catalog.chip("br31x").segment == .edge)
        #expect(try catalog.chip("br166").segment == .datacenter)
        let t = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips)
        let doc = try t.derivedDocument([], name: "x").document
        let edge = doc.setting(.string("edge"), at: ["segment"]) ?? doc
        #expect(try ChipSpecDecoder.decode(edge, file: "x.json").get().segment == .edge)
        let bad = doc.setting(.string("cloud"), at: ["segment"]) ?? doc
        guard case let .failure(e) = ChipSpecDecoder.decode(bad, file: "x.json") else {
            Issue.record("segment 'cloud' accepted")
            return
        }
        #expect(e.problems.contains { $0.keyPath == "segment" })
    }

    @Test func attributionSharesSumToOne() throws {
        let catalog = try ChipCatalog.builtIn()
        let model = try ModelZoo.builtIn().model("llama3-70b")
        let roadmap = try Roadmap.build(vendor: "biren", catalog: catalog, workloads: RoadmapWorkload.rooflineDefaults(model: model))
        #expect(roadmap.entries.count == 8)
        for e in roadmap.entries {
            for t in e.throughput {
                let r = try t.value.get()
                #expect(r.low <= r.nominal && r.nominal <= r.high && r.nominal > 0)
            }
            for a in e.attributions {
                let sum = a.steps.compactMap(\.share).reduce(0, +)
                // Shares exist only when the metric changed (BR104 -> BR106 is the same die).
                if abs(a.toValue - a.fromValue) > 1e-6 * a.toValue { #expect(abs(sum - 1) < 1e-9) } else { #expect(sum == 0) }
                #expect(abs(a.steps.map(\.delta).reduce(0, +) - (a.toValue - a.fromValue)) <= 1e-9 * a.toValue)
            }
        }
        // br106 -> br166 doubles the dies and the peaks.
        let br166 = try #require(roadmap.entries.first { $0.chip.id == "br166" })
        let step = try #require(br166.attributions.first { $0.workload == "training" })
        #expect(step.from == "br106" && step.to == "br166")
        #expect(step.steps.contains { $0.spec == "compute peaks" })
    }

    /// The estimator workloads: the table's values are the full searches', and the attribution
    /// (reduced training search for the hybrids) ends exactly at them.
    @Test func estimatorWorkloadsAttributeExactly() throws {
        let catalog = try ChipCatalog.builtIn()
        let model = try ModelZoo.builtIn().model("llama3-70b")
        let ws = RoadmapWorkload.estimatorDefaults(model: model, training: TrainingRun(model: model, chips: 64))
        let roadmap = try Roadmap.build(vendor: "biren", catalog: catalog, workloads: ws, only: ["br106", "br166"])
        #expect(roadmap.entries.map(\.chip.id) == ["br106", "br166"])
        let e = roadmap.entries[1]
        #expect(e.predecessor == "br106")
        #expect(e.attributions.map(\.workload) == ["training", "inference"])
        for a in e.attributions {
            let from = try #require(roadmap.entries[0].throughput.first { $0.workload == a.workload }).value.get()
            let to = try #require(e.throughput.first { $0.workload == a.workload }).value.get()
            #expect(abs(a.fromValue - from.nominal) <= 1e-9 * from.nominal)
            #expect(abs(a.toValue - to.nominal) <= 1e-9 * to.nominal)
            #expect(to.low < to.nominal && to.nominal < to.high)
            #expect(abs(a.steps.compactMap(\.share).reduce(0, +) - 1) < 1e-9)
            #expect(!a.steps.contains { $0.spec == "other" })
        }
    }

    @Test func singleSpecChangeGetsTheWholeShare() throws {
        let chip = try ChipCatalog.builtIn().chip("h100-sxm5-80gb")
        let a = ChipParameters(chip: chip)
        var b = a
        b.memoryBandwidthGBps = (a.memoryBandwidthGBps ?? 0) * 2
        let model = try ModelZoo.builtIn().model("llama3-70b")
        let w = RooflineLayerWorkload(model: model, mode: .inference, batch: 8, seq: 2048, format: .bf16)
        let at = try RoadmapAttribution.attribute(workload: "inference", from: a, to: b) { try w.evaluate($0).tokensPerSecond }
        #expect(at.steps.count == 1)
        #expect(at.steps.first?.spec == "memory bandwidth")
        #expect(at.steps.first?.share == 1)
        #expect(at.gainRatio > 1.5)
    }
}

@Suite struct RangedMetricTests {
    @Test func rangedMetricRunsTheCorners() throws {
        let chip = try ChipCatalog.builtIn().chip("br166")
        let m = WhatIfMetric.ranged(label: "bw", parameters: ["chips"],
                                    outputs: [.init("bandwidth", unit: "GB/s"), .init("time", unit: "s", higherIsBetter: false)]) { p, point in
            let bw = (p.memoryBandwidthGBps ?? 0) * (point["chips"] ?? 1)
            return ([bw, 1 / bw], p.corner == .nominal ? "memory" : "other")
        }
        let row = try m.evaluate(chip, SweepPoint([("chips", 2)]), .corners)
        #expect(row.binding == "memory")
        #expect(row.metrics[0].nominal == 3280 && row.metrics[0].low == 2800 && row.metrics[0].high == 3680)
        #expect(row.metrics[1].low == 1 / 3680.0 && row.metrics[1].high == 1 / 2800.0)
    }
}
