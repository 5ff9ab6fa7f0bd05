import Foundation
import Testing
@testable import ChipModelKit

/// System specs (Specs/systems/*.json): the built-ins and every kind of decoder error.
@Suite struct SystemSpecTests {
    static let expectedIDs: Set<String> = [
        "dgx-h100-superpod", "dgx-h200-superpod", "dgx-b200-superpod", "gb200-nvl72-rack", "gb300-nvl72-rack",
        "cloudmatrix-384", "atlas-900-a2-pod", "atlas-950-superpod", "br166-oam-server", "br20x-supernode",
        "tpu-v5p-pod-slice", "tpu-v6e-pod", "trn2-ultraserver", "trn3-ultraserver", "mi300x-cluster",
    ]

    // MARK: built-ins

    @Test func builtInSystemsDecodeAndHaveTheExpectedIDs() throws {
        let systems = try SystemCatalog.builtIn()
        #expect(Set(systems.ids) == Self.expectedIDs)
        #expect(systems.ids.count == Self.expectedIDs.count)
        let chips = try ChipCatalog.builtIn()
        for s in systems.systems {
            #expect(chips.ids.contains(s.chip), "\(s.id): chip \(s.chip)")
            #expect(s.totalChips % max(1, Int(s.scaleUp.domainSize.nominal)) == 0, "\(s.id)")
            for (key, v) in s.allSpecValues where v.confidence == .estimated || (s.status == .roadmap && key != "year") {
                #expect(v.low != nil && v.high != nil, "\(s.id).\(key): needs a range")
            }
        }
    }

    @Test func everyBuiltInSystemFileIsNamedAfterItsID() {
        let chipIDs = (try? ChipCatalog.builtIn().ids) ?? []
        for doc in EmbeddedSpecs.systems {
            switch SystemSpecDecoder.decode(bytes: doc.bytes, file: doc.file, chipIDs: chipIDs) {
            case let .success(s): #expect(doc.file == "Specs/systems/\(s.id).json")
            case let .failure(e): Issue.record("\(doc.file): \(e)")
            }
        }
    }

    /// The embedded copies of systems and models must match Specs/ (run Scripts/embed-specs).
    @Test func embeddedSystemsAndModelsMatchTheFilesOnDisk() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (dir, docs) in [("Specs/systems", EmbeddedSpecs.systems), ("Specs/models", EmbeddedSpecs.models)] {
            let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path).filter { $0.hasSuffix(".json") }
            #expect(names.count == docs.count, "stale EmbeddedSpecs.swift (\(dir)): run Scripts/embed-specs")
            for doc in docs {
                let text = String(decoding: try Data(contentsOf: root.appendingPathComponent(doc.file)), as: UTF8.self)
                let embedded = String(decoding: doc.bytes, as: UTF8.self)
                #expect(text == embedded || text == embedded + "\n", "stale embedded copy of \(doc.file)")
            }
        }
    }

    @Test func builtInTopologiesMatchTheirSources() throws {
        let c = try SystemCatalog.builtIn()
        let v5p = try c.system("tpu-v5p-pod-slice")
        #expect(v5p.scaleUp.topology == .torus3d && v5p.scaleUp.dimensions == [8, 8, 16] && v5p.totalChips == 1024)
        #expect(v5p.scaleUp.perDirectionGBps() == 600)
        let cm = try c.system("cloudmatrix-384")
        #expect(cm.totalChips == 384 && cm.domains == 1 && cm.scaleUp.topology == .switched)
        #expect(cm.scaleUp.perDirectionGBps() == 392)
        #expect(try #require(cm.scaleOut).perChipGBps() == 50)  // 400 Gb/s per NPU
        let a2 = try c.system("atlas-900-a2-pod")
        #expect(a2.scaleUp.topology == .allToAll && a2.scaleUp.domainSize.nominal == 8)
        let trn2 = try c.system("trn2-ultraserver")
        #expect(trn2.scaleUp.dimensions == [4, 4, 4] && trn2.scaleUp.dimensionBandwidthGBps.count == 3)
        let nvl = try c.system("gb200-nvl72-rack")
        #expect(nvl.totalChips == 72 && nvl.scaleUp.domainSize.nominal == 72 && nvl.chipsPerNode.nominal == 4)
        let dgx = try c.system("dgx-h100-superpod")
        #expect(dgx.domains == 127 && dgx.scaleOut?.perChipGBps() == 50)
        let br = try c.system("br166-oam-server")
        #expect(br.chip == "br166" && br.scaleOut == nil && br.scaleUp.topology == .allToAll)
        for id in ["atlas-950-superpod", "br20x-supernode"] { #expect(try c.system(id).status == .roadmap) }
        #expect(try c.system("br20x-supernode").scaleUp.domainSize.high == 1024)
    }

    @Test func scaleOutPerChipBandwidthIsNICsTimesLineRateOverEight() throws {
        let o = SystemScaleOut(name: "x", nicsPerChip: SpecValue(0.25, confidence: .vendorOfficial, source: SourceRef(key: "s", title: "t")),
                               nicLineRateGbps: SpecValue(200, confidence: .vendorOfficial, source: SourceRef(key: "s", title: "t")),
                               oversubscription: SpecValue(2, low: 1, high: 3, confidence: .estimated, source: SourceRef(key: "s", title: "t")))
        #expect(o.perChipGBps() == 6.25)
        #expect(o.perChipGBps(includingOversubscription: true) == 3.125)
        #expect(o.perChipGBps(at: .high, includingOversubscription: true) == 6.25)  // optimistic corner: 1:1
        #expect(o.perChipGBps(at: .low, includingOversubscription: true) == 6.25 / 3)
    }

    // MARK: decoder errors

    static let valid = """
    {
      "id": "test-system",
      "name": "Test System",
      "vendor": "Test",
      "status": "shipping",
      "year": { "value": 2024, "source": "ds", "confidence": "vendor-official" },
      "chip": "h100-sxm5-80gb",
      "sources": { "ds": { "title": "Test reference architecture", "url": "https://example.com" } },
      "chipsPerNode": { "value": 8, "source": "ds", "confidence": "vendor-official" },
      "nodes": { "value": 4, "source": "ds", "confidence": "vendor-official" },
      "scaleUp": {
        "name": "Link",
        "topology": "switched",
        "domainSize": { "value": 8, "source": "ds", "confidence": "vendor-official" },
        "bandwidthGBps": { "value": 450, "source": "ds", "confidence": "vendor-official" },
        "direction": "perDirection"
      },
      "scaleOut": {
        "name": "IB",
        "nicsPerChip": { "value": 1, "source": "ds", "confidence": "vendor-official" },
        "nicLineRateGbps": { "value": 400, "source": "ds", "confidence": "vendor-official" },
        "oversubscription": { "value": 1, "source": "ds", "confidence": "vendor-official" },
        "tiers": { "value": 2, "source": "ds", "confidence": "vendor-official" }
      },
      "host": { "powerOverheadWPerNode": { "value": 4600, "low": 3500, "high": 5000, "source": "ds", "confidence": "estimated", "note": "guess" } }
    }
    """

    static let chipIDs = ["h100-sxm5-80gb", "h200-sxm-141gb", "tpu-v5p"]

    static func decode(_ text: String, file: String = "sys.json") -> [String] {
        switch SystemSpecDecoder.decode(bytes: Array(text.utf8), file: file, chipIDs: chipIDs) {
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
        let s = try SystemSpecDecoder.decode(bytes: Array(Self.valid.utf8), file: "x", chipIDs: Self.chipIDs).get()
        #expect(s.totalChips == 32 && s.domains == 4 && s.scaleUp.perDirectionGBps() == 450 && s.scaleOut?.perChipGBps() == 50)
    }

    @Test func unknownChipIsAnErrorWithTheNearestIDs() {
        let p = Self.decode(Self.replacing("\"chip\": \"h100-sxm5-80gb\"", "\"chip\": \"h100\""))
        #expect(p == ["sys.json: chip: unknown chip 'h100' (did you mean 'h100-sxm5-80gb'?)"], "\(p)")
    }

    @Test func unknownKeysSuggestTheNearestKnownKey() {
        let p = Self.decode(Self.replacing("\"nodes\":", "\"nodez\":"))
        #expect(p.contains("sys.json: nodez: unknown key (did you mean 'nodes'?)"), "\(p)")
        #expect(p.contains("sys.json: nodes: required key is missing"))
        let q = Self.decode(Self.replacing("\"tiers\":", "\"tier\":"))
        #expect(q == ["sys.json: scaleOut.tier: unknown key (did you mean 'tiers'?)"], "\(q)")
    }

    @Test func missingRequiredKeysAreNamed() {
        #expect(Self.decode(Self.replacing("\"vendor\": \"Test\",", "")).contains("sys.json: vendor: required key is missing"))
        #expect(Self.decode(Self.replacing("\"topology\": \"switched\",", "")).contains("sys.json: scaleUp.topology: required key is missing"))
        #expect(Self.decode(Self.replacing("\"direction\": \"perDirection\"", "\"note\": \"x\"")).contains("sys.json: scaleUp.direction: required key is missing"))
    }

    @Test func badChoicesAreRejected() {
        let p = Self.decode(Self.replacing("\"topology\": \"switched\"", "\"topology\": \"hypercube\""))
        #expect(p.contains("sys.json: scaleUp.topology: 'hypercube' is not one of: switched, all-to-all, torus2d, torus3d, mesh, ring"))
        let q = Self.decode(Self.replacing("\"status\": \"shipping\"", "\"status\": \"sampling\""))
        #expect(q.contains("sys.json: status: 'sampling' is not one of: shipping, announced, roadmap"))
    }

    @Test func torusNeedsDimensionsWhoseProductIsTheDomain() {
        let missing = Self.decode(Self.replacing("\"topology\": \"switched\"", "\"topology\": \"torus3d\""))
        #expect(missing.contains("sys.json: scaleUp.dimensions: required for topology 'torus3d' (chips per dimension)"), "\(missing)")
        let wrongCount = Self.decode(Self.replacing("\"topology\": \"switched\",", "\"topology\": \"torus3d\", \"dimensions\": [2, 4],"))
        #expect(wrongCount.contains("sys.json: scaleUp.dimensions: topology 'torus3d' needs 3 dimensions, found 2"), "\(wrongCount)")
        let wrongProduct = Self.decode(Self.replacing("\"topology\": \"switched\",", "\"topology\": \"torus2d\", \"dimensions\": [2, 2],"))
        #expect(wrongProduct.contains("sys.json: scaleUp.dimensions: 2x2 = 4 chips, but domainSize is 8"), "\(wrongProduct)")
        let ok = Self.decode(Self.replacing("\"topology\": \"switched\",", "\"topology\": \"torus3d\", \"dimensions\": [2, 2, 2],"))
        #expect(ok.isEmpty, "\(ok)")
        let notWhole = Self.decode(Self.replacing("\"topology\": \"switched\",", "\"topology\": \"torus2d\", \"dimensions\": [2, 4.5],"))
        #expect(notWhole.contains("sys.json: scaleUp.dimensions[1]: expected a whole number of chips in 1...65536"), "\(notWhole)")
    }

    @Test func dimensionsAndPerDimensionBandwidthOnlyForATorusOrMesh() {
        let p = Self.decode(Self.replacing("\"topology\": \"switched\",", "\"topology\": \"switched\", \"dimensions\": [8],"))
        #expect(p.contains("sys.json: scaleUp.dimensions: only a torus or mesh has dimensions, not topology 'switched'"), "\(p)")
        let bw = "{ \"value\": 100, \"source\": \"ds\", \"confidence\": \"vendor-official\" }"
        let q = Self.decode(Self.replacing("\"topology\": \"switched\",", "\"topology\": \"torus3d\", \"dimensions\": [2, 2, 2], \"dimensionBandwidthGBps\": [\(bw), \(bw)],"))
        #expect(q.contains("sys.json: scaleUp.dimensionBandwidthGBps: gives 2 values for 3 dimensions"), "\(q)")
        let r = Self.decode(Self.replacing("\"topology\": \"switched\",", "\"topology\": \"torus3d\", \"dimensions\": [2, 2, 2], \"dimensionBandwidthGBps\": [\(bw), \(bw), { \"value\": -1, \"source\": \"ds\", \"confidence\": \"vendor-official\" }],"))
        #expect(r.contains("sys.json: scaleUp.dimensionBandwidthGBps[2].value: must be positive, found -1"), "\(r)")
    }

    @Test func sizesMustTileTheSystem() {
        let tooBig = Self.decode(Self.replacing("\"value\": 4, \"source\"", "\"value\": 0.5, \"source\""))
        #expect(tooBig.contains("sys.json: nodes.value: must be a whole number"), "\(tooBig)")
        let domain = Self.decode(Self.replacing("\"domainSize\": { \"value\": 8", "\"domainSize\": { \"value\": 64"))
        #expect(domain.contains("sys.json: scaleUp.domainSize: 64 chips exceed the system's 32 (chipsPerNode x nodes)"), "\(domain)")
        let uneven = Self.decode(Self.replacing("\"domainSize\": { \"value\": 8", "\"domainSize\": { \"value\": 12"))
        #expect(uneven.contains("sys.json: scaleUp.domainSize: 32 chips (chipsPerNode x nodes) do not split into domains of 12"), "\(uneven)")
        let notWhole = Self.decode(Self.replacing("\"domainSize\": { \"value\": 8", "\"domainSize\": { \"value\": 7.5"))
        #expect(notWhole.contains("sys.json: scaleUp.domainSize.value: must be a whole number"), "\(notWhole)")
    }

    @Test func scaleOutIsRequiredBetweenDomains() {
        guard let start = Self.valid.range(of: "  \"scaleOut\": {"), let end = Self.valid.range(of: "  \"host\"") else {
            Issue.record("fixture layout changed"); return
        }
        var text = Self.valid
        text.removeSubrange(start.lowerBound..<end.lowerBound)
        #expect(Self.decode(text).contains("sys.json: scaleOut: required when the system has more than one scale-up domain"))
        // One domain spanning the whole system needs no scale-out fabric.
        let single = text.replacingOccurrences(of: "\"value\": 4, \"source\"", with: "\"value\": 1, \"source\"")
        #expect(Self.decode(single).isEmpty, "\(Self.decode(single))")
    }

    @Test func fabricNumbersAreChecked() {
        let over = Self.decode(Self.replacing("\"oversubscription\": { \"value\": 1", "\"oversubscription\": { \"value\": 0.5"))
        #expect(over.contains("sys.json: scaleOut.oversubscription: must be at least 1 (1 = non-blocking), found 0.5"), "\(over)")
        let tiers = Self.decode(Self.replacing("\"tiers\": { \"value\": 2", "\"tiers\": { \"value\": 12"))
        #expect(tiers.contains("sys.json: scaleOut.tiers.value: 12 switch tiers is implausible (at most 8)"), "\(tiers)")
        let half = Self.decode(Self.replacing("\"tiers\": { \"value\": 2", "\"tiers\": { \"value\": 2.5"))
        #expect(half.contains("sys.json: scaleOut.tiers.value: must be a whole number"), "\(half)")
        let zero = Self.decode(Self.replacing("\"nicLineRateGbps\": { \"value\": 400", "\"nicLineRateGbps\": { \"value\": 0"))
        #expect(zero.contains("sys.json: scaleOut.nicLineRateGbps.value: must be positive, found 0"), "\(zero)")
    }

    @Test func rangesAndSourcesFollowTheChipRules() {
        let est = Self.decode(Self.replacing("\"low\": 3500, \"high\": 5000, ", ""))
        #expect(est.contains("sys.json: host.powerOverheadWPerNode: an estimated value needs a 'low'-'high' range"), "\(est)")
        let roadmap = Self.decode(Self.replacing("\"status\": \"shipping\"", "\"status\": \"roadmap\""))
        #expect(roadmap.contains("sys.json: chipsPerNode: a roadmap chip's value needs a 'low'-'high' range"), "\(roadmap)")
        #expect(!roadmap.contains { $0.hasPrefix("sys.json: year:") })
        let src = Self.decode(Self.replacing("\"value\": 2024, \"source\": \"ds\"", "\"value\": 2024, \"source\": \"dss\""))
        #expect(src.contains("sys.json: year.source: source 'dss' is not listed under 'sources' (did you mean 'ds'?)"), "\(src)")
        let nan = Self.decode(Self.replacing("\"value\": 450", "\"value\": \"NaN\""))
        #expect(nan.contains("sys.json: scaleUp.bandwidthGBps.value: 'NaN' is not a number (NaN and infinity are not allowed)"))
    }

    @Test func allProblemsAreReportedAtOnceAndBadJSONIsOneLine() {
        var text = Self.replacing("\"vendor\": \"Test\",", "")
        text = text.replacingOccurrences(of: "\"chip\": \"h100-sxm5-80gb\"", with: "\"chip\": \"nope\"")
        text = text.replacingOccurrences(of: "\"tiers\":", with: "\"tier\":")
        #expect(Self.decode(text).count == 3, "\(Self.decode(text))")
        let bad = Self.decode("{ \"id\": ", file: "broken.json")
        #expect(bad.count == 1 && bad[0].hasPrefix("broken.json: invalid JSON:"))
    }

    @Test func duplicateIDsAreErrorsAndUserFilesOverrideBuiltIns() throws {
        let chips = try ChipCatalog.builtIn()
        do {
            _ = try SystemCatalog.load(builtIn: [], user: [SpecDocument(file: "a.json", text: Self.valid), SpecDocument(file: "b.json", text: Self.valid)], chips: chips)
            Issue.record("duplicate ids accepted")
        } catch {
            #expect(error.problems.map(\.description) == ["b.json: id: duplicate id 'test-system' (also in a.json)"])
        }
        let override = Self.replacing("\"id\": \"test-system\"", "\"id\": \"cloudmatrix-384\"")
        let c = try SystemCatalog.load(builtIn: EmbeddedSpecs.systems, user: [SpecDocument(file: "mine.json", text: override)], chips: chips)
        #expect(c.overrides == ["mine.json: system 'cloudmatrix-384' overrides the built-in spec"])
        #expect(try c.system("cloudmatrix-384").chip == "h100-sxm5-80gb")
        #expect(c.ids.count == Self.expectedIDs.count)
        #expect(throws: UnknownIDError.self) { try c.system("cloudmatrix") }
    }
}
