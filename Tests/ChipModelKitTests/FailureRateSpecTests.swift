import Foundation
import Testing
@testable import ChipModelKit

@Suite struct FailureRateSpecTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The embedded copy must match Specs/reliability (run Scripts/embed-specs after editing).
    @Test func embeddedFailureRatesMatchTheFilesOnDisk() throws {
        let dir = Self.repositoryRoot.appendingPathComponent("Specs/reliability")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count == EmbeddedSpecs.reliability.count, "stale EmbeddedSpecs.swift: run Scripts/embed-specs")
        for doc in EmbeddedSpecs.reliability {
            let text = String(decoding: try Data(contentsOf: Self.repositoryRoot.appendingPathComponent(doc.file)), as: UTF8.self)
            let embedded = String(decoding: doc.bytes, as: UTF8.self)
            #expect(text == embedded || text == embedded + "\n", "stale embedded copy of \(doc.file): run Scripts/embed-specs")
        }
    }

    @Test func builtInTableHasEveryComponentWithSourcesAndRanges() throws {
        let table = try FailureRateTable.builtIn()
        #expect(Set(table.fleets.map(\.id)) == ["nvidia-h100-class", "chinese-domestic", "default"])
        #expect(table.defaultFleet.id == "default")
        for fleet in table.fleets {
            #expect(fleet.rates.count == FailureComponent.allCases.count)
            for (c, v) in fleet.rates {
                #expect(v.hasRange, "\(fleet.id).\(c.specKey) needs a range")
                #expect(fleet.rates(at: .low)[c] >= fleet.rates(at: .nominal)[c], "low corner = high failure rate")
                #expect(fleet.rates(at: .high)[c] <= fleet.rates(at: .nominal)[c])
            }
        }
    }

    /// Every built-in chip's family resolves to a fleet; the Chinese families to the estimated one.
    @Test func everyChipFamilyResolvesToAFleet() throws {
        let table = try FailureRateTable.builtIn()
        #expect(table.fleet(forFamily: "nvidia-hopper").id == "nvidia-h100-class")
        #expect(table.fleet(forFamily: "biren-br1").id == "chinese-domestic")
        #expect(table.fleet(forFamily: "huawei-ascend").id == "chinese-domestic")
        #expect(table.fleet(forFamily: "amd-cdna3").id == "default")
        #expect(table.fleet(forFamily: "nvidia-blackwell").id == "default")
        let domestic: Set = ["biren-br1", "biren-br2", "biren-br3", "huawei-ascend", "mthreads", "metax", "iluvatar", "enflame",
                             "cambricon", "kunlunxin", "hygon"]
        for chip in try ChipCatalog.builtIn().chips {
            let fleet = table.fleet(forFamily: chip.family)
            if domestic.contains(chip.family) { #expect(fleet.id == "chinese-domestic", "\(chip.id)") }
            if ["nvidia-hopper", "nvidia-ampere"].contains(chip.family) { #expect(fleet.id == "nvidia-h100-class", "\(chip.id)") }
        }
    }

    /// The derivation of the H100-class rates: multiplied back by the Llama 3 snapshot's exposure
    /// (16,384 GPUs with 5 HBM3 stacks and one NIC each, 2,048 hosts, 54 days) they return the
    /// 419 unexpected interruptions of Table 5 and its grouping (GPU 196, HBM 72, host 46, NIC 7,
    /// network 35, software 63). This checks the arithmetic of the spec file, nothing more.
    @Test func h100RatesReturnTheLlama3CountsTheyWereDerivedFrom() throws {
        let fleet = try #require(try FailureRateTable.builtIn().fleet(id: "nvidia-h100-class"))
        let r = fleet.rates(at: .nominal)
        let hours = 54.0 * 24
        let counts: [FailureComponent: Double] = [
            .accelerator: r[.accelerator] * 16_384 * hours / 1e6, .hbm: r[.hbm] * 16_384 * 5 * hours / 1e6,
            .host: r[.host] * 2_048 * hours / 1e6, .nic: r[.nic] * 16_384 * hours / 1e6,
            .fabric: r[.fabric] * 16_384 * hours / 1e6, .software: r[.software] * 16_384 * hours / 1e6,
        ]
        let expected: [FailureComponent: Double] = [.accelerator: 196, .hbm: 72, .host: 46, .nic: 7, .fabric: 35, .software: 63]
        for c in FailureComponent.allCases {
            #expect(abs((counts[c] ?? 0) - (expected[c] ?? 0)) < 0.01, "\(c): \(counts[c] ?? 0)")
        }
        #expect(abs(counts.values.reduce(0, +) - 419) < 0.05)
    }

    // MARK: decoder errors

    static let valueTemplate = #"{"value": 1, "low": 0.5, "high": 2, "source": "s", "confidence": "estimated"}"#

    static func document(rates: String? = nil, defaultID: String = "d", families: String = #"["x"]"#, extraTop: String = "") -> String {
        let allRates = rates ?? FailureComponent.allCases.map { "\"\($0.specKey)\": \(valueTemplate)" }.joined(separator: ", ")
        let defaults = FailureRateDecoder.defaultKeys.map { "\"\($0)\": \(valueTemplate)" }.joined(separator: ", ")
        return """
        {"sources": {"s": {"title": "t"}}, "defaults": {\(defaults)}, "default": "\(defaultID)", \(extraTop)
         "fleets": [{"id": "d", "name": "D", "families": \(families), "failuresPerMillionHours": {\(allRates)}}]}
        """
    }

    static func problems(_ text: String) -> [String] {
        switch FailureRateDecoder.decode(bytes: Array(text.utf8), file: "f.json") {
        case .success: return []
        case let .failure(e): return e.problems.map(\.description)
        }
    }

    @Test func aValidDocumentDecodes() {
        #expect(Self.problems(Self.document()) == [])
    }

    @Test func problemsNameTheKeyPath() {
        // A missing component.
        let missing = FailureComponent.allCases.dropFirst().map { "\"\($0.specKey)\": \(Self.valueTemplate)" }.joined(separator: ", ")
        #expect(Self.problems(Self.document(rates: missing)) == ["f.json: fleets[0].failuresPerMillionHours.acceleratorPerChip: required key is missing"])
        // A misspelt component, with the nearest known key.
        let misspelt = Self.document().replacingOccurrences(of: "\"hbmPerStack\"", with: "\"hbmPerStak\"")
        #expect(Self.problems(misspelt).contains("f.json: fleets[0].failuresPerMillionHours.hbmPerStak: unknown key (did you mean 'hbmPerStack'?)"))
        // An estimate without a range, and an unknown source.
        let bare = Self.document().replacingOccurrences(of: #""value": 1, "low": 0.5, "high": 2, "source": "s", "confidence": "estimated"}, "hostPerNode""#,
                                                        with: #""value": 1, "source": "q", "confidence": "estimated"}, "hostPerNode""#)
        let bareProblems = Self.problems(bare)
        #expect(bareProblems.contains { $0.hasPrefix("f.json: fleets[0].failuresPerMillionHours.hbmPerStack: an estimated value needs") })
        #expect(bareProblems.contains { $0.hasPrefix("f.json: fleets[0].failuresPerMillionHours.hbmPerStack.source: source 'q' is not listed") })
        // The default fleet must exist.
        #expect(Self.problems(Self.document(defaultID: "e")) == ["f.json: default: fleet 'e' is not listed under 'fleets' (did you mean 'd'?)"])
        // Negative and zero rates are rejected.
        let zero = Self.document().replacingOccurrences(of: #""nicPerNic": {"value": 1"#, with: #""nicPerNic": {"value": 0"#)
        #expect(Self.problems(zero).contains { $0.hasPrefix("f.json: fleets[0].failuresPerMillionHours.nicPerNic.value: must be positive") })
        // Broken JSON is one line naming the file.
        #expect(Self.problems("{").count == 1 && Self.problems("{")[0].hasPrefix("f.json: invalid JSON"))
    }

    @Test func aFamilyBelongsToOneFleet() {
        let two = Self.document().replacingOccurrences(of: "\"fleets\": [", with: """
            "fleets": [{"id": "e", "name": "E", "families": ["x"], "failuresPerMillionHours": {\(FailureComponent.allCases.map { "\"\($0.specKey)\": \(Self.valueTemplate)" }.joined(separator: ", "))}},
            """)
        #expect(Self.problems(two) == ["f.json: fleets[1].families: family 'x' is already listed by fleet 'e'"])
    }
}
