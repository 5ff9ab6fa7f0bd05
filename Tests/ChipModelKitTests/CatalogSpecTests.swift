import Foundation
import Testing
@testable import ChipModelKit

/// The built-in catalog (Specs/chips/*.json) and the spec-file validation rules.
@Suite struct CatalogSpecTests {
    static let expectedIDs: Set<String> = [
        "br100", "br104", "br106", "br166", "br110", "br20x", "br30x", "br31x",
        "a100-sxm4-40gb", "a100-sxm4-80gb", "a100-pcie-80gb", "h100-sxm5-80gb", "h100-pcie-80gb", "h800-sxm5-80gb",
        "h20", "h200-sxm-141gb", "b200-sxm-180gb", "gb200-nvl72", "rtx-pro-6000-server",
        "mi250x", "mi300x", "mi325x", "mi355x", "tpu-v4", "tpu-v5p", "gaudi2", "gaudi3",
        "ascend-910b", "ascend-910c", "mtt-s80", "mtt-s4000", "mtt-s5000", "metax-c500", "metax-c600",
        "iluvatar-bi-v150", "iluvatar-mr-v100", "enflame-s60", "cambricon-mlu370-x8", "cambricon-mlu590",
        "kunlunxin-p800", "hygon-k100",
        // Added by the catalog work (issue 15).
        "br106c", "br166l", "br166c", "a800-sxm4-80gb", "h200-nvl", "l40s", "l20", "b300-sxm-288gb", "gb300-nvl72", "rubin",
        "tpu-v5e", "tpu-v6e", "tpu7x", "trainium2", "trainium3", "mi350x", "mi455x", "ascend-910b4", "ascend-950pr",
        "ascend-950dt", "ascend-960", "ascend-970", "thead-ppu", "hygon-bw1000", "gaudi3-hl328", "gaudi3-hl388",
    ]

    // MARK: built-in catalog

    @Test func everyBuiltInSpecFileDecodesOnItsOwn() {
        for doc in EmbeddedSpecs.chips {
            switch ChipSpecDecoder.decode(bytes: doc.bytes, file: doc.file) {
            case let .success(chip):
                #expect(doc.file == "Specs/chips/\(chip.id).json", "file name must be the id")
            case let .failure(error):
                Issue.record("\(doc.file) does not validate: \(error)")
            }
        }
    }

    /// A source a user reads names the public document itself: no spec file cites the team's
    /// working notes (files that are not shipped with the package) in place of the reference.
    @Test func specSourcesCiteNoUnshippedNotes() {
        let docs = EmbeddedSpecs.chips + EmbeddedSpecs.systems + EmbeddedSpecs.models + EmbeddedSpecs.economics + EmbeddedSpecs.reliability
        for doc in docs {
            let text = String(decoding: doc.bytes, as: UTF8.self)
            for name in ["chips.md", "chips.json", "shared/reference", "calibration-cases.json"] {
                #expect(!text.contains(name), "\(doc.file) cites \(name), which is not shipped")
            }
        }
    }

    @Test func builtInCatalogHasExactlyTheExpectedIDs() throws {
        let catalog = try ChipCatalog.builtIn()
        #expect(Set(catalog.ids) == Self.expectedIDs)
        #expect(catalog.ids.count == Self.expectedIDs.count)
        #expect(catalog.overrides.isEmpty)
    }

    /// The embedded copy must match Specs/ (run Scripts/embed-specs after editing a spec).
    @Test func embeddedSpecsMatchTheFilesOnDisk() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Specs/chips")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count == EmbeddedSpecs.chips.count, "stale EmbeddedSpecs.swift: run Scripts/embed-specs")
        for doc in EmbeddedSpecs.chips {
            let onDisk = try Data(contentsOf: root.appendingPathComponent(doc.file))
            let text = String(decoding: onDisk, as: UTF8.self)
            // The embed script strips nothing but the final newline inside the raw string.
            let embedded = String(decoding: doc.bytes, as: UTF8.self)
            #expect(text == embedded || text == embedded + "\n", "stale embedded copy of \(doc.file): run Scripts/embed-specs")
        }
    }

    /// What the estimators need from every chip.
    @Test func everyChipHasWhatTheEstimatorsNeed() throws {
        let families: Set<String> = ["nvidia-ampere", "nvidia-hopper", "nvidia-blackwell", "amd-cdna2", "amd-cdna3", "amd-cdna4",
                                     "google-tpu", "intel-gaudi", "biren-br1", "biren-br2", "biren-br3", "huawei-ascend",
                                     "mthreads", "metax", "iluvatar", "enflame", "cambricon", "kunlunxin", "hygon",
                                     // New families (issue 15); they fall back to Calibration.default.
                                     "nvidia-ada", "nvidia-blackwell-sm120", "nvidia-rubin", "amd-cdna5", "aws-trainium", "alibaba-ppu"]
        for chip in try ChipCatalog.builtIn().chips {
            #expect(families.contains(chip.family), "\(chip.id): family '\(chip.family)'")
            #expect(chip.densePeaks[.bf16] != nil || chip.densePeaks[.fp16] != nil, "\(chip.id): no 16-bit dense peak")
            #expect(chip.memory.capacityGB != nil && chip.memory.bandwidthGBps != nil, "\(chip.id): memory")
            #expect(chip.scaleUp != nil, "\(chip.id): scaleUp")
            #expect(chip.scaleOut != nil, "\(chip.id): scaleOut")
            #expect(chip.tdpW != nil, "\(chip.id): tdpW")
            if chip.dies.computeDieCount > 1 {
                #expect(chip.d2d != nil, "\(chip.id): multi-die part without a d2d link")
            }
            for (key, v) in chip.allSpecValues {
                #expect(v.nominal.isFinite && v.nominal > 0, "\(chip.id).\(key)")
                if v.confidence == .estimated || (chip.status == .roadmap && key != "year") {
                    #expect(v.low != nil && v.high != nil, "\(chip.id).\(key): estimate without range")
                }
                if v.confidence == .estimated { #expect(v.note != nil, "\(chip.id).\(key): estimate without derivation note") }
            }
            for (f, s) in chip.sparsePeaks {
                #expect(s.nominal >= (chip.densePeaks[f]?.nominal ?? 0), "\(chip.id): sparse \(f) below dense")
            }
        }
    }

    @Test func multiDiePartsHaveD2DLinks() throws {
        let catalog = try ChipCatalog.builtIn()
        for id in ["br100", "br166", "b200-sxm-180gb", "gb200-nvl72", "mi250x", "mi300x", "mi325x", "mi355x", "gaudi3", "ascend-910c", "cambricon-mlu370-x8"] {
            let chip = try catalog.chip(id)
            #expect(chip.dies.computeDieCount > 1, "\(id)")
            #expect(chip.d2d != nil, "\(id)")
        }
    }

    /// Dense peaks of the calibration chips, as published (Benchmarks/CASES.md peak table and datasheets).
    @Test func calibrationChipPeaksMatchPublishedDenseFigures() throws {
        let c = try ChipCatalog.builtIn()
        func bf16(_ id: String) throws -> Double { try #require(c.chip(id).densePeaks[.bf16]).nominal }
        func fp8(_ id: String) throws -> Double? { try c.chip(id).densePeaks[.fp8]?.nominal }
        #expect(try bf16("a100-sxm4-80gb") == 312 && bf16("a100-sxm4-40gb") == 312 && bf16("a100-pcie-80gb") == 312)
        #expect(try fp8("a100-sxm4-80gb") == nil)
        #expect(try abs(bf16("h100-sxm5-80gb") - 989) < 1 && abs(bf16("h200-sxm-141gb") - 989) < 1)
        #expect(try abs((fp8("h100-sxm5-80gb") ?? 0) - 1979) < 1)
        #expect(try bf16("b200-sxm-180gb") == 2250 && fp8("b200-sxm-180gb") == 4500)
        #expect(try bf16("gb200-nvl72") == 2500 && fp8("gb200-nvl72") == 5000)
        #expect(try abs(bf16("mi300x") - 1307.4) < 0.1 && abs((fp8("mi300x") ?? 0) - 2614.9) < 0.1)
        #expect(try bf16("tpu-v5p") == 459)
        #expect(try bf16("br104") == 512)
        #expect(try abs(bf16("rtx-pro-6000-server") - 503.8) < 0.1)
        // Headline sparse figures are recorded as sparse, exactly 2x dense.
        #expect(try c.chip("h100-sxm5-80gb").sparsePeaks[.bf16]?.nominal == 1979)
        #expect(try c.chip("mi300x").sparsePeaks[.fp8]?.nominal == 5229.8)
        #expect(try c.chip("rtx-pro-6000-server").sparsePeaks[.fp4]?.nominal == 4030.4)
        // Memory and links.
        #expect(try c.chip("a100-sxm4-40gb").memory.capacityGB?.nominal == 40)
        #expect(try c.chip("h200-sxm-141gb").memory.bandwidthGBps?.nominal == 4800)
        #expect(try c.chip("gb200-nvl72").scaleUp?.domainSize.nominal == 72)
        #expect(try c.chip("h100-sxm5-80gb").scaleUp?.bandwidth.perDirectionGBps() == 450)
        #expect(try c.chip("h100-sxm5-80gb").scaleOut?.nicBandwidth.perDirectionGBps() == 50)
        #expect(try c.chip("a100-sxm4-80gb").scaleOut?.nicBandwidth.perDirectionGBps() == 25)
        let v5p = try c.chip("tpu-v5p")
        #expect(try #require(v5p.scaleUp).domainSize.nominal >= 6144)
        #expect(v5p.scaleUp?.bandwidth.perDirectionGBps() == 600)
    }

    // MARK: Biren facts (the seed facts: BR166 = 2 x BR106, D2D 896 GB/s bidirectional, roadmap parts)

    @Test func br166IsTwoBR106DiesWithFourStacksAnd896BidirectionalD2D() throws {
        let c = try ChipCatalog.builtIn()
        let br166 = try c.chip("br166")
        #expect(br166.dies.computeDieCount == 2)
        #expect(br166.memory.stacks?.nominal == 4)
        #expect(br166.formFactors.contains("OAM") && br166.formFactors.contains("PCIe"))
        let d2d = try #require(br166.d2d)
        #expect(d2d.bandwidth.direction == .bidirectional)
        #expect(d2d.bandwidth.bidirectionalGBps() == 896)
        #expect(d2d.bandwidth.perDirectionGBps() == 448)
        #expect(br166.status == .shipping && br166.year.nominal == 2025)
    }

    @Test func br166IsAboutTwiceBR106InPeakComputeAndMemory() throws {
        let c = try ChipCatalog.builtIn()
        let br166 = try c.chip("br166"), br106 = try c.chip("br106")
        #expect(br106.dies.computeDieCount == 1)
        func ratio(_ a: SpecValue?, _ b: SpecValue?) throws -> Double { try #require(a).nominal / #require(b).nominal }
        for f in [NumberFormat.bf16, .fp16, .int8, .tf32] {
            #expect(abs(try ratio(br166.densePeaks[f], br106.densePeaks[f]) - 2) < 0.1, "\(f)")
        }
        #expect(abs(try ratio(br166.memory.capacityGB, br106.memory.capacityGB) - 2) < 0.1)
        #expect(abs(try ratio(br166.memory.bandwidthGBps, br106.memory.bandwidthGBps) - 2) < 0.1)
        // Estimates carry ranges and their derivation; the CCTV per-card figure bounds BR106 below.
        let b106 = try #require(br106.densePeaks[.bf16])
        #expect(b106.confidence == .estimated && b106.low == 339 && b106.note?.contains("CCTV") == true)
        #expect(try #require(br166.densePeaks[.bf16]).low == 678)
    }

    @Test func br110IsAnEdgeInferencePart() throws {
        let br110 = try ChipCatalog.builtIn().chip("br110")
        #expect(br110.name.lowercased().contains("edge inference"))
        #expect(try #require(br110.tdpW).nominal < 200)
    }

    @Test func br20xIs2026RoadmapWithFP8FP4AndASupernode() throws {
        let c = try ChipCatalog.builtIn()
        let br20x = try c.chip("br20x")
        #expect(br20x.status == .roadmap && br20x.year.nominal == 2026)
        let fp8 = try #require(br20x.densePeaks[.fp8]), fp4 = try #require(br20x.densePeaks[.fp4])
        #expect(fp8.hasRange && fp4.hasRange && fp4.nominal > fp8.nominal)
        let su = try #require(br20x.scaleUp)
        let maxDomain = try #require(su.maxDomainSize)
        #expect(maxDomain.nominal > su.domainSize.nominal && maxDomain.hasRange)
        // Stated upgrades over the first generation (BR166): compute, memory, interconnect.
        let br166 = try c.chip("br166")
        #expect(try #require(br20x.densePeaks[.bf16]).nominal > #require(br166.densePeaks[.bf16]).nominal)
        #expect(try #require(br20x.memory.capacityGB).nominal > #require(br166.memory.capacityGB).nominal)
        #expect(try #require(br20x.memory.bandwidthGBps).nominal > #require(br166.memory.bandwidthGBps).nominal)
        #expect(su.bandwidth.perDirectionGBps() > (br166.scaleUp?.bandwidth.perDirectionGBps() ?? .infinity))
        #expect(br20x.allSpecValues.allSatisfy { $0.0 == "year" || $0.1.low != nil })
    }

    @Test func br30xAndBR31XAre2028Roadmap() throws {
        let c = try ChipCatalog.builtIn()
        for id in ["br30x", "br31x"] {
            let chip = try c.chip(id)
            #expect(chip.status == .roadmap && chip.year.nominal == 2028, "\(id)")
        }
        #expect(try c.chip("br30x").name.lowercased().contains("cloud"))
        #expect(try c.chip("br31x").name.lowercased().contains("edge"))
    }

    @Test func br100KeepsTheHotChipsFigures() throws {
        let br100 = try ChipCatalog.builtIn().chip("br100")
        #expect(br100.dies.computeDieCount == 2 && br100.densePeaks[.bf16]?.nominal == 1024)
        #expect(br100.densePeaks[.fp8] == nil && br100.densePeaks[.fp64] == nil)
        #expect(br100.d2d?.bandwidth.perDirectionGBps() == 448)
        #expect(br100.scaleUp?.bandwidth.bidirectionalGBps() == 512)
    }

    // MARK: validation of bad spec files

    /// A small valid spec; each test breaks one thing.
    static let valid = """
    {
      "id": "test-chip",
      "name": "Test Chip",
      "vendor": "Test",
      "family": "test",
      "status": "shipping",
      "year": { "value": 2024, "source": "ds", "confidence": "vendor-official" },
      "formFactors": ["PCIe"],
      "sources": { "ds": { "title": "Test datasheet", "url": "https://example.com" } },
      "dies": { "computeDies": { "value": 1, "source": "ds", "confidence": "vendor-official" } },
      "bf16DenseTflops": { "value": 200, "source": "ds", "confidence": "vendor-official" },
      "bf16SparseTflops": { "value": 400, "source": "ds", "confidence": "vendor-official" },
      "memory": {
        "capacityGB": { "value": 64, "source": "ds", "confidence": "vendor-official" },
        "bandwidthGBps": { "value": 1000, "low": 900, "high": 1100, "source": "ds", "confidence": "estimated", "note": "guess" }
      },
      "scaleUp": {
        "name": "Link",
        "bandwidthGBps": { "value": 100, "source": "ds", "confidence": "vendor-official" },
        "direction": "perDirection",
        "domainSize": { "value": 8, "source": "ds", "confidence": "vendor-official" }
      }
    }
    """

    static func decode(_ text: String, file: String = "bad.json") -> [String] {
        switch ChipSpecDecoder.decode(bytes: Array(text.utf8), file: file) {
        case .success: return []
        case let .failure(e): return e.problems.map(\.description)
        }
    }

    static func replacing(_ old: String, _ new: String) -> String {
        precondition(valid.contains(old), "fixture does not contain \(old)")
        return valid.replacingOccurrences(of: old, with: new)
    }

    @Test func validFixtureDecodes() throws {
        #expect(Self.decode(Self.valid).isEmpty)
        let chip = try ChipSpecDecoder.decode(bytes: Array(Self.valid.utf8), file: "x").get()
        #expect(chip.scaleUp?.bandwidth.bidirectionalGBps() == 200)
    }

    @Test func unknownKeySuggestsTheNearestKnownKey() {
        let p = Self.decode(Self.replacing("\"bf16SparseTflops\"", "\"bf16DenseTflop\""))
        #expect(p.contains("bad.json: bf16DenseTflop: unknown key (did you mean 'bf16DenseTflops'?)"))
        let q = Self.decode(Self.replacing("\"capacityGB\"", "\"capacityGiB\""))
        #expect(q.contains("bad.json: memory.capacityGiB: unknown key (did you mean 'capacityGB'?)"))
    }

    @Test func missingRequiredFieldIsNamed() {
        #expect(Self.decode(Self.replacing("\"vendor\": \"Test\",", "")).contains("bad.json: vendor: required key is missing"))
        let p = Self.decode(Self.replacing("\"source\": \"ds\", \"confidence\": \"vendor-official\" },\n  \"formFactors\"",
                                           "\"source\": \"ds\" },\n  \"formFactors\""))
        #expect(p.contains("bad.json: year.confidence: required key is missing"))
    }

    @Test func nonPositiveNumbersAreRejected() {
        #expect(Self.decode(Self.replacing("\"value\": 200", "\"value\": 0")).contains("bad.json: bf16DenseTflops.value: must be positive, found 0"))
        #expect(Self.decode(Self.replacing("\"value\": 64", "\"value\": -64")).contains("bad.json: memory.capacityGB.value: must be positive, found -64"))
    }

    @Test func nonFiniteNumbersAreRejected() {
        let p = Self.decode(Self.replacing("\"value\": 200", "\"value\": 1e400"))
        #expect(p.count == 1 && p[0].hasPrefix("bad.json: invalid JSON:") && p[0].contains("out of range"))
        let q = Self.decode(Self.replacing("\"value\": 200", "\"value\": \"NaN\""))
        #expect(q.contains("bad.json: bf16DenseTflops.value: 'NaN' is not a number (NaN and infinity are not allowed)"))
        let r = Self.decode(Self.replacing("\"value\": 200", "\"value\": \"Infinity\""))
        #expect(r.contains("bad.json: bf16DenseTflops.value: 'Infinity' is not a number (NaN and infinity are not allowed)"))
    }

    @Test func sparseBelowDenseIsRejected() {
        let p = Self.decode(Self.replacing("\"value\": 400", "\"value\": 150"))
        #expect(p.contains("bad.json: bf16SparseTflops: sparse peak 150 is below the dense peak 200"))
    }

    @Test func rangeLowAboveHighIsRejected() {
        let p = Self.decode(Self.replacing("\"low\": 900, \"high\": 1100", "\"low\": 1100, \"high\": 900"))
        #expect(p.contains("bad.json: memory.bandwidthGBps: range low 1100 is above high 900"))
    }

    @Test func nominalOutsideItsRangeIsRejected() {
        let p = Self.decode(Self.replacing("\"value\": 1000, \"low\": 900", "\"value\": 1200, \"low\": 900"))
        #expect(p.contains("bad.json: memory.bandwidthGBps: nominal value 1200 is outside its range 900-1100"))
    }

    @Test func estimatedValueWithoutRangeIsRejected() {
        let p = Self.decode(Self.replacing("\"low\": 900, \"high\": 1100, ", ""))
        #expect(p.contains("bad.json: memory.bandwidthGBps: an estimated value needs a 'low'-'high' range"))
        let q = Self.decode(Self.replacing("\"high\": 1100, ", ""))
        #expect(q.contains("bad.json: memory.bandwidthGBps: give both 'low' and 'high', or neither"))
    }

    @Test func roadmapValuesNeedRanges() {
        let p = Self.decode(Self.replacing("\"status\": \"shipping\"", "\"status\": \"roadmap\""))
        #expect(p.contains("bad.json: bf16DenseTflops: a roadmap chip's value needs a 'low'-'high' range"))
        #expect(!p.contains { $0.hasPrefix("bad.json: year:") }, "the year of a roadmap chip needs no range")
    }

    @Test func unknownSourceKeyIsRejectedWithSuggestion() {
        let p = Self.decode(Self.replacing("\"value\": 200, \"source\": \"ds\"", "\"value\": 200, \"source\": \"dss\""))
        #expect(p.contains("bad.json: bf16DenseTflops.source: source 'dss' is not listed under 'sources' (did you mean 'ds'?)"))
    }

    @Test func badDirectionAndStatusAreRejected() {
        let p = Self.decode(Self.replacing("\"perDirection\"", "\"unidirectional\""))
        #expect(p.contains("bad.json: scaleUp.direction: 'unidirectional' is not one of: bidirectional, perDirection"))
        let q = Self.decode(Self.replacing("\"status\": \"shipping\"", "\"status\": \"sampling\""))
        #expect(q.contains("bad.json: status: 'sampling' is not one of: shipping, announced, roadmap"))
    }

    @Test func devicesPerPackageIsAWholeNumberUpToTheDies() {
        let dies = "\"computeDies\": { \"value\": 1, \"source\": \"ds\", \"confidence\": \"vendor-official\" }"
        let p = Self.decode(Self.replacing(dies, dies + ", \"devicesPerPackage\": { \"value\": 2, \"source\": \"ds\", \"confidence\": \"vendor-official\" }"))
        #expect(p.contains("bad.json: dies.devicesPerPackage.value: must be a whole number from 1 to dies.computeDies"))
    }

    @Test func domainSizesMustBeWholeNumbers() {
        let p = Self.decode(Self.replacing("\"value\": 8,", "\"value\": 8.5,"))
        #expect(p.contains("bad.json: scaleUp.domainSize.value: must be a whole number"))
        let q = Self.decode(Self.replacing("\"direction\": \"perDirection\",", "\"direction\": \"perDirection\", \"maxDomainSize\": { \"value\": 71.5, \"source\": \"ds\", \"confidence\": \"vendor-official\" },"))
        #expect(q.contains("bad.json: scaleUp.maxDomainSize.value: must be a whole number"))
    }

    @Test func allProblemsAreReportedAtOnce() {
        var text = Self.replacing("\"vendor\": \"Test\",", "")
        text = text.replacingOccurrences(of: "\"value\": 400", with: "\"value\": 150")
        text = text.replacingOccurrences(of: "\"capacityGB\"", with: "\"capacityGiB\"")
        let p = Self.decode(text)
        #expect(p.count == 3, "\(p)")
    }

    @Test func invalidJSONIsOneProblemNamingTheFile() {
        let p = Self.decode("{ \"id\": ", file: "broken.json")
        #expect(p.count == 1 && p[0].hasPrefix("broken.json: invalid JSON:"))
    }

    @Test func duplicateIDsAcrossFilesAreRejected() {
        let docs = [SpecDocument(file: "a.json", text: Self.valid), SpecDocument(file: "b.json", text: Self.valid)]
        do {
            _ = try ChipCatalog.load(builtIn: [], user: docs)
            Issue.record("duplicate ids accepted")
        } catch {
            #expect(error.problems.map(\.description) == ["b.json: id: duplicate id 'test-chip' (also in a.json)"])
        }
    }

    @Test func userFileWithABuiltInIDOverridesIt() throws {
        let override = Self.replacing("\"id\": \"test-chip\"", "\"id\": \"h100-sxm5-80gb\"")
        let catalog = try ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: [SpecDocument(file: "mine/h100.json", text: override)])
        #expect(catalog.overrides == ["mine/h100.json: chip 'h100-sxm5-80gb' overrides the built-in spec"])
        #expect(try catalog.chip("h100-sxm5-80gb").densePeaks[.bf16]?.nominal == 200)
        #expect(catalog.chips.count == Self.expectedIDs.count)
        let added = try ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: [SpecDocument(file: "t.json", text: Self.valid)])
        #expect(added.overrides.isEmpty && added.ids.last == "test-chip")
    }
}
