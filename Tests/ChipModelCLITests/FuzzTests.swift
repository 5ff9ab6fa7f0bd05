import Foundation
import Testing
@testable import ChipModelKit
import ChipModelFuzz

/// The library fuzz targets (issue 9). A quick run in every `swift test`; a long run with
/// `CHIPMODEL_FUZZ_ITERATIONS=1000000 [CHIPMODEL_FUZZ_SEED=S] swift test --filter Fuzz`
/// (or, faster, `swift run -c release chipmodel-fuzz --iterations 1000000` from a release build).
@Suite struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = UInt64(environment["CHIPMODEL_FUZZ_SEED"] ?? "") ?? 20_261_122
    static let longIterations = Int(environment["CHIPMODEL_FUZZ_ITERATIONS"] ?? "")

    static func run(_ targets: [FuzzTarget], iterations: Int) -> FuzzReport {
        let report = Fuzzer(targets: targets, seed: seed).run(iterations: iterations)
        for f in report.failures { Issue.record(Comment(rawValue: f.description)) }
        #expect(report.failures.isEmpty)
        return report
    }

    /// The repository's calibration cases (read from the source tree at test time) as extra
    /// seeds of the case target, next to the built-in seed case file.
    static var calibrationCases: [SpecDocument] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = "Benchmarks/calibration-cases.json"
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else { return [] }
        return [SpecDocument(file: path, bytes: [UInt8](data))]
    }

    @Test func quickRunOverLibraryTargets() {
        let corpus = FuzzCorpus.builtIn(extraCases: Self.calibrationCases, limits: .init(maxArrayLength: 500, maxNesting: 100))
        let report = Self.run(KitFuzzTargets.all(corpus), iterations: 2_000)
        #expect(report.count == 2_000 || report.stoppedByTimeLimit)
        // The mutators must reach both sides of every target.
        for t in ["json", "chip-spec", "catalog", "model", "cases"] {
            #expect((report.accepted[t] ?? 0) > 0, "\(t) never accepted an input")
            #expect((report.rejected[t] ?? 0) > 0, "\(t) never rejected an input")
        }
    }

    @Test func seedCaseFilesDecode() {
        // The case target's seeds are valid: both sides of the target are reachable.
        #expect(!Self.calibrationCases.isEmpty, "Benchmarks/calibration-cases.json not found")
        for doc in [FuzzCorpus.seedCases] + Self.calibrationCases {
            #expect(KitFuzzTargets.checkCases(doc.bytes, file: doc.file) == .accepted, "\(doc.file)")
        }
        // The checks can fail: a decoded list with an out-of-range value is reported.
        guard case var .success(cases) = CaseDecoder.decode(bytes: FuzzCorpus.seedCases.bytes, file: "s.json") else {
            Issue.record("seed cases do not decode")
            return
        }
        cases[0].measured = .nan
        #expect(KitFuzzTargets.checkCaseList(cases) != nil)
        cases[0].measured = 1
        cases[1].id = cases[0].id
        #expect(KitFuzzTargets.checkCaseList(cases) != nil)
    }

    @Test func caseFilesWithSpecialNumbersAreCleanErrors() {
        let text = String(decoding: FuzzCorpus.seedCases.bytes, as: UTF8.self)
        for raw in ["NaN", "Infinity", "-1", "0", "1e400", "\"13.75\"", "1e308"] {
            let bad = text.replacingOccurrences(of: "\"value\": 13.75", with: "\"value\": \(raw)")
            #expect(KitFuzzTargets.checkCases(Array(bad.utf8), file: "c.json") != .accepted || raw == "1e308", "\(raw)")
            if case .failed(let m) = KitFuzzTargets.checkCases(Array(bad.utf8), file: "c.json") { Issue.record("\(raw): \(m)") }
        }
        for raw in ["0", "-64", "1e19", "2.5", "99999999999"] {
            let bad = text.replacingOccurrences(of: "\"count\": 64", with: "\"count\": \(raw)")
            #expect(KitFuzzTargets.checkCases(Array(bad.utf8), file: "c.json") == .rejected, "\(raw)")
        }
    }

    @Test(.enabled(if: FuzzTests.longIterations != nil, "set CHIPMODEL_FUZZ_ITERATIONS for the long run"))
    func longRunOverLibraryTargets() {
        let report = Fuzzer(targets: KitFuzzTargets.all(FuzzCorpus.builtIn(extraCases: Self.calibrationCases)), seed: Self.seed)
            .run(iterations: Self.longIterations ?? 0)
        print(report.summary)
        for f in report.failures { Issue.record(Comment(rawValue: f.description)) }
        #expect(report.failures.isEmpty)
    }

    // MARK: The machinery

    @Test func inputsAreReproducibleFromSeedAndIndex() {
        let corpus = FuzzCorpus.builtIn()
        var a = SplitMix64(seed: 7, index: 123), b = SplitMix64(seed: 7, index: 123), c = SplitMix64(seed: 7, index: 124)
        let x = corpus.mutated(corpus.chips[0], rng: &a), y = corpus.mutated(corpus.chips[0], rng: &b)
        #expect(x == y)
        #expect(SplitMix64(seed: 7, index: 123).state != SplitMix64(seed: 8, index: 123).state)
        #expect(a.next() != c.next())
        // Bounds of the generator's draws.
        var r = SplitMix64(seed: 1)
        for _ in 0..<1_000 {
            #expect((0..<5).contains(r.below(5)))
            #expect((-3...3).contains(r.int(-3...3)))
            let u = r.unit()
            #expect(u >= 0 && u < 1)
        }
        _ = r.int(Int.min...Int.max)
    }

    @Test func mutatorsChangeDocuments() {
        let corpus = FuzzCorpus.builtIn()
        var changed = 0
        for i in 0..<200 {
            var rng = SplitMix64(seed: 3, index: UInt64(i))
            if corpus.mutated(corpus.models[0], rng: &rng) != corpus.models[0].bytes { changed += 1 }
        }
        #expect(changed > 150)
    }

    @Test func checksCatchBrokenResults() {
        // The checks must be able to fail: a multi-line problem and a non-finite word.
        let e = InputError([InputProblem(file: "f.json", keyPath: "a", message: "x")])
        #expect(KitFuzzTargets.checkProblems(e, files: ["g.json"]) != nil)
        #expect(KitFuzzTargets.checkProblems(InputError([]), files: ["f.json"]) != nil)
        #expect(KitFuzzTargets.checkProblems(e, files: ["f.json"]) == nil)
        #expect(KitFuzzTargets.containsNonFiniteWord("time: nan s"))
        #expect(KitFuzzTargets.containsNonFiniteWord("-inf"))
        #expect(!KitFuzzTargets.containsNonFiniteWord("InfiniBand inference info"))
    }

    // MARK: Regression fixtures (inputs that broke a rule, fixed in this branch)

    @Test func problemsWithLineBreaksInKeysStayOneLine() {
        // A key spelled with an escaped newline used to print a two-line error.
        let text = #"{"id": "x", "bad\nkey": 1, "a\u2028b": 2}"#
        guard case let .failure(e) = ChipSpecDecoder.decode(bytes: Array(text.utf8), file: "user.json") else {
            Issue.record("decoded")
            return
        }
        #expect(KitFuzzTargets.checkProblems(e, files: ["user.json"]) == nil)
        #expect(e.problems.contains { $0.description.contains(#"bad\nkey"#) })
        // A duplicate key with a line break, in the syntax error.
        let dup = #"{"a\nb": 1, "a\nb": 2}"#
        #expect(KitFuzzTargets.checkJSON(Array(dup.utf8)) == .rejected)
        #expect(KitFuzzTargets.checkModel(Array(dup.utf8), file: "m.json") == .rejected)
    }

    @Test func enormousKeysAreShortenedInProblems() {
        let key = String(repeating: "k", count: 100_000)
        let p = InputProblem(file: "f.json", keyPath: key, message: "unknown key")
        #expect(p.description.count < 2_100)
        #expect(p.description.hasPrefix("f.json: kkk"))
        #expect(p.description.hasSuffix("kkk: unknown key"))
        #expect(oneLine("a\r\nb\u{0}\u{85}") == #"a\r\nb\u{0}\u{85}"#)
    }

    @Test func integersNeverTrapAtTheInt64Edge() {
        // `Int(x)` traps at 2^63, which `x <= Double(Int.max)` lets through.
        let log = ProblemLog(file: "f.json")
        let r = ObjectReader(.object([("n", .number(9.223_372_036_854_775_807e18))]), path: "", log: log)
        #expect(r?.integer("n", range: 0...Int.max) == nil)
        #expect(wholeCount(.nan) == 1)
        #expect(wholeCount(.infinity, upper: 10) == 10)
        #expect(wholeCount(1e300) == 1 << 53)
        #expect(wholeCount(-5, lower: 0) == 0)
        #expect(exactInt(9.223_372_036_854_775_807e18) == nil)
        #expect(exactInt(-0.0) == 0)
    }

    @Test func resnetShapeSurvivesAbsurdBlockLists() {
        // `64 << stage` and `width * 4` overflowed past stage 57; negative counts trapped the range.
        let shape = ResNetShape(blocks: Array(repeating: 1, count: 70) + [-3], imageSize: 224)
        #expect(shape.flops.isFinite && shape.params.isFinite)
        #expect(ResNetShape(blocks: [3, 4, 6, 3], imageSize: -224).flops.isFinite)
        let m = ModelSpec(id: "x", name: "x", architecture: .moe, layers: 4, hidden: 64, heads: 1, ffnHidden: 64, vocab: 10,
                          experts: Int.max, expertsPerToken: Int.max, expertFfnHidden: 1, sharedExperts: Int.max,
                          denseLayers: Int.min, kvLoraRank: Int.max, ropeHeadDim: Int.max)
        #expect(m.moeLayers == 4)
        #expect(m.totalParams.isFinite && m.kvValuesPerTokenPerLayer > 0)
    }

    /// A built-in spec picked by file name (the catalog's order changes as chips are added).
    static func builtInChip(_ file: String) -> SpecDocument? {
        EmbeddedSpecs.chips.first { $0.file.hasSuffix("/" + file) }
    }

    @Test func specialNumbersAreCleanErrors() throws {
        let a100 = try #require(Self.builtInChip("a100-sxm4-80gb.json"))
        #expect(String(decoding: a100.bytes, as: UTF8.self).contains("\"value\": 2039"))
        for raw in ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "\"NaN\"", "\"Infinity\"", "-0", "1e-400", "5e-324", "1e308", "1e19"] {
            var doc = a100.bytes
            let text = String(decoding: doc, as: UTF8.self).replacingOccurrences(of: "\"value\": 2039", with: "\"value\": \(raw)")
            doc = Array(text.utf8)
            #expect(KitFuzzTargets.checkChipSpec(doc, file: "c.json") == .rejected, "\(raw)")
        }
        let bert = try #require(EmbeddedSpecs.models.first { $0.file.hasSuffix("/bert-large.json") })
        for raw in ["1e308", "-0", "0", "2.5", "\"8192\"", "1e19", "-64"] {
            let text = String(decoding: bert.bytes, as: UTF8.self)
                .replacingOccurrences(of: "\"hidden\": 1024", with: "\"hidden\": \(raw)")
            #expect(KitFuzzTargets.checkModel(Array(text.utf8), file: "m.json") == .rejected, "\(raw)")
        }
    }

    @Test func devicesWithZeroRatesAreRefusedNotNaN() throws {
        // Hand-built parameters (library callers, what-if derivations) with a zero or
        // non-finite rate: a clean error at device construction, never a NaN time.
        let chip = try ChipCatalog.builtIn().chip("h100-sxm5-80gb")
        let good = ChipParameters(chip: chip)
        for bw in [0.0, -1, .nan, .infinity] {
            var p = good
            p.memoryBandwidthGBps = bw
            #expect(throws: MissingSpecError.self) { try RooflineDevice(chip: p, format: .bf16) }
        }
        for peak in [0.0, -5, .nan] {
            var p = good
            p.matmulTflops[.bf16] = peak
            #expect(throws: MissingSpecError.self) { try RooflineDevice(chip: p, format: .bf16) }
        }
        var p = good
        p.vectorTflops[.fp32] = 0
        let d = try RooflineDevice(chip: p, format: .bf16)
        let r = Roofline.evaluate(.rowwise(kind: .layernorm, tokens: 4096, hidden: 8192), on: d)
        #expect(d.sustainedVectorFlops > 0 && r.seconds.isFinite && r.seconds > 0)
        // Collectives: the tree depth is bounded for any group size (a doubling loop never
        // ended past 2^62), and a missing tier is named, not timed.
        #expect(ClusterNetwork.treeSteps(Int.max) == 63 && ClusterNetwork.treeSteps(1) == 0 && ClusterNetwork.treeSteps(5) == 3)
        let net = ClusterNetwork(chip: good)
        #expect(net.time(.allReduce, bytes: 1e9, groupSize: Int.max).isFinite)
        var noNIC = good
        noNIC.scaleOutPerDirectionGBps = nil
        let n2 = ClusterNetwork(chip: noNIC)
        #expect(n2.missingTier(groupSize: 64)?.name == "scale-out")
        #expect(n2.missingTier(groupSize: 8) == nil)
    }

    @Test func servingWithoutTheNeededNetworkNamesTheSpecKey() throws {
        // Used to print 0 tokens/s with empty TTFT/TPOT (infinite collective times).
        var chip = ChipParameters(chip: try ChipCatalog.builtIn().chip("h100-sxm5-80gb"))
        chip.scaleOutPerDirectionGBps = nil
        let w = InferenceWorkload(model: try ModelZoo.builtIn().model("llama3-70b"), scenario: .offline, inputTokens: 2048,
                                  outputTokens: 256, precision: .bf16)
        #expect(throws: MissingSpecError.self) {
            try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 64), constraints: PlanConstraints(tp: 16))
        }
        let e = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 64))
        #expect(e.plan.tp * e.plan.pp <= 8 && (e.tokensPerSecond ?? 0) > 0)
    }

    @Test func encoderServingOnAnEnormousMemoryDoesNotTrap() throws {
        // `Int(free / perSampleActivation)` trapped past 2^63 (whatif --set memory.capacityGB=1e18).
        var chip = ChipParameters(chip: try ChipCatalog.builtIn().chip("h100-sxm5-80gb"))
        chip.memoryCapacityGB = 1e18
        for id in ["resnet50-v1.5", "bert-large"] {
            let w = InferenceWorkload(model: try ModelZoo.builtIn().model(id), scenario: .offline, inputTokens: 384, outputTokens: 0, precision: .bf16)
            let e = try InferenceEstimator.estimate(w, on: Cluster(chip: chip, count: 1))
            #expect(e.plan.batch <= 4096 && (e.samplesPerSecond ?? 0).isFinite)
        }
    }

    @Test func deepNestingAndEnormousArraysAreHandled() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(KitFuzzTargets.checkJSON(Array(deep.utf8)) == .rejected)
        let ok = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        #expect(KitFuzzTargets.checkJSON(Array(ok.utf8)) == .accepted)
        let big = "[" + Array(repeating: "1e308", count: 200_000).joined(separator: ",") + "]"
        #expect(KitFuzzTargets.checkJSON(Array(big.utf8)) == .accepted)
        #expect(KitFuzzTargets.checkChipSpec(Array(big.utf8), file: "c.json") == .rejected)
        #expect(KitFuzzTargets.checkJSON([0xEF, 0xBB, 0xBF, 0x7B, 0x7D]) == .accepted)
        #expect(KitFuzzTargets.checkJSON([0x7B, 0xFF, 0x7D]) == .rejected)
        #expect(KitFuzzTargets.checkJSON([]) == .rejected)
    }

    @Test func catalogIsAllOrNothing() throws {
        let good = try #require(Self.builtInChip("a100-sxm4-80gb.json"))
        let bad = SpecDocument(file: "user/bad.json", text: "{")
        let renamed = SpecDocument(file: "user/new.json",
                                   text: String(decoding: good.bytes, as: UTF8.self).replacingOccurrences(of: "\"id\": \"a100-sxm4-80gb\"", with: "\"id\": \"my-chip\""))
        #expect(KitFuzzTargets.checkCatalog(builtIn: EmbeddedSpecs.chips, user: [renamed]) == .accepted)
        #expect(KitFuzzTargets.checkCatalog(builtIn: EmbeddedSpecs.chips, user: [renamed, bad]) == .rejected)
        #expect(KitFuzzTargets.checkCatalog(builtIn: EmbeddedSpecs.chips, user: [renamed, renamed]) == .rejected)
        #expect((try? ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: [renamed, bad])) == nil)
    }
}

@Suite struct HugeInputTests {
    @Test func millionsOfBadKeysAnswerQuicklyWithCappedProblems() {
        // Regression: every unknown key ran "did you mean" over every known key and every
        // problem was kept and printed (200k error lines for this file).
        var text = "{"
        for i in 0..<200_000 { text += "\"unknownKey\(i)\": \(i)," }
        text += "\"id\": \"x\"}"
        let clock = ContinuousClock()
        let start = clock.now
        guard case let .failure(e) = ChipSpecDecoder.decode(bytes: Array(text.utf8), file: "big.json") else {
            Issue.record("decoded")
            return
        }
        #expect(clock.now - start < .seconds(20))
        #expect(e.problems.count == ProblemLog.maximumProblems + 1)
        #expect(e.problems.last?.message.contains("more problems not shown") == true)
    }
}
