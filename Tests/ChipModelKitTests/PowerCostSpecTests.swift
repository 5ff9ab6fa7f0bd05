import Foundation
import Testing
@testable import ChipModelKit

/// `Specs/economics/*.json`: the built-in price and power-profile tables and their decoders.
@Suite struct PowerCostSpecTests {
    static func catalogIDs() throws -> [String] { try ChipCatalog.builtIn().ids }

    @Test func builtInTablesDecode() throws {
        let book = try PriceBook.builtIn(knownChipIDs: Self.catalogIDs())
        #expect(book.price(for: "h100-sxm5-80gb")?.priceUSD != nil)
        #expect(book.price(for: "h100-sxm5-80gb")?.cloudUSDPerHour != nil)
        for id in ["br166", "h20", "ascend-910b"] { #expect(book.price(for: id)?.priceUSD != nil, "\(id)") }
        // Estimated prices carry ranges (the decoder enforces it; check the table says so).
        for (_, p) in book.prices {
            for v in [p.priceUSD, p.cloudUSDPerHour].compactMap({ $0 }) where v.confidence == .estimated { #expect(v.hasRange) }
        }
        let profiles = try PowerProfileSet.builtIn()
        #expect(profiles.profile(forFamily: "nvidia-hopper").family == "nvidia-hopper")
        #expect(profiles.profile(forFamily: "biren-br1").family == "default")
        #expect(profiles.overheads.pue.nominal >= 1)
    }

    /// Every family named in the power table is a catalog family (a typo would silently fall back to the default).
    @Test func profileFamiliesAreCatalogFamilies() throws {
        let families = Set(try ChipCatalog.builtIn().chips.map(\.family))
        for f in try PowerProfileSet.builtIn().families.keys { #expect(families.contains(f), "\(f)") }
    }

    /// The embedded copy must match Specs/economics (run Scripts/embed-specs after editing).
    @Test func embeddedEconomicsMatchTheFilesOnDisk() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Specs/economics")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count == EmbeddedSpecs.economics.count, "stale EmbeddedSpecs.swift: run Scripts/embed-specs")
        for doc in EmbeddedSpecs.economics {
            let text = String(decoding: try Data(contentsOf: root.appendingPathComponent(doc.file)), as: UTF8.self)
            let embedded = String(decoding: doc.bytes, as: UTF8.self)
            #expect(text == embedded || text == embedded + "\n", "stale embedded copy of \(doc.file): run Scripts/embed-specs")
        }
    }

    static let minimalPrices = """
    {
      "sources": { "s": { "title": "t" } },
      "defaults": {
        "systemUSDPerChip": { "value": 8000, "source": "s", "confidence": "press/analyst" },
        "amortizationYears": { "value": 4, "source": "s", "confidence": "press/analyst" },
        "hostingUSDPerKWMonth": { "value": 150, "source": "s", "confidence": "press/analyst" },
        "powerPriceUSDPerKWh": { "value": 0.08, "source": "s", "confidence": "press/analyst" },
        "gridGCO2PerKWh": { "value": 400, "source": "s", "confidence": "press/analyst" }
      },
      "chips": { CHIPS }
    }
    """

    static func decodePrices(_ chips: String) throws -> Result<PriceBook, InputError> {
        let text = minimalPrices.replacingOccurrences(of: "CHIPS", with: chips)
        return PriceBookDecoder.decode(bytes: Array(text.utf8), file: "p.json", knownChipIDs: try catalogIDs())
    }

    static func problems(_ r: Result<PriceBook, InputError>) -> [String] {
        if case let .failure(e) = r { return e.problems.map(\.description) }
        return []
    }

    @Test func aPriceForAnUnknownChipIsAnError() throws {
        let r = try Self.decodePrices(#""h100-sxm5-80gbx": { "priceUSD": { "value": 1, "source": "s", "confidence": "press/analyst" } }"#)
        let p = Self.problems(r)
        #expect(p.count == 1)
        #expect(p.first?.hasPrefix("p.json: chips.h100-sxm5-80gbx: unknown chip id 'h100-sxm5-80gbx' (did you mean 'h100-sxm5-80gb'") == true)
    }

    @Test func priceProblemsNameTheKeyPath() throws {
        let r = try Self.decodePrices("""
        "h20": { "priceUSD": { "value": 13500, "source": "nope", "confidence": "estimated" }, "cloudUSD": 1 },
        "br166": {}
        """)
        let p = Self.problems(r)
        #expect(p.contains { $0.hasPrefix("p.json: chips.h20.priceUSD.source: source 'nope' is not listed") })
        #expect(p.contains { $0 == "p.json: chips.h20.priceUSD: an estimated value needs a 'low'-'high' range" })
        #expect(p.contains { $0.hasPrefix("p.json: chips.h20.cloudUSD: unknown key (did you mean 'cloudUSDPerHour'?)") })
        #expect(p.contains { $0 == "p.json: chips.br166: give 'priceUSD', 'cloudUSDPerHour' or both" })
        let ok = try Self.decodePrices(#""h20": { "priceUSD": { "value": 13500, "low": 12000, "high": 15300, "source": "s", "confidence": "estimated" } }"#)
        #expect(Self.problems(ok).isEmpty)
    }

    @Test func profileProblemsNameTheKeyPath() throws {
        let text = """
        {
          "sources": { "s": { "title": "t" } },
          "overheads": {
            "hostWattsPerChip": { "value": 350, "source": "s", "confidence": "press/analyst" },
            "networkWattsPerChip": { "value": 80, "source": "s", "confidence": "press/analyst" },
            "pue": { "value": 1.2, "low": 0.9, "high": 1.5, "source": "s", "confidence": "estimated" }
          },
          "default": {
            "computeBoundFraction": { "value": 0.9, "source": "s", "confidence": "press/analyst" },
            "memoryBoundFraction": { "value": 0.5, "source": "s", "confidence": "press/analyst" },
            "idleFraction": { "value": 0.6, "source": "s", "confidence": "press/analyst" }
          },
          "families": {
            "Bad Family": {
              "computeBoundFraction": { "value": 0.9, "low": 0.8, "high": 1.2, "source": "s", "confidence": "estimated" },
              "memoryBoundFraction": { "value": 0.5, "source": "s", "confidence": "press/analyst" },
              "idleFraction": { "value": 0.2, "source": "s", "confidence": "press/analyst" }
            }
          }
        }
        """
        guard case let .failure(e) = PowerProfileDecoder.decode(bytes: Array(text.utf8), file: "pp.json") else {
            Issue.record("expected a failure")
            return
        }
        let p = e.problems.map(\.description)
        #expect(p.contains("pp.json: overheads.pue: PUE is facility / IT power and cannot be below 1"))
        #expect(p.contains("pp.json: default.idleFraction: is above memoryBoundFraction (idle draws less than memory-bound work)"))
        #expect(p.contains { $0.hasPrefix("pp.json: families.Bad Family: family 'Bad Family' must be lower-case") })
        #expect(p.contains("pp.json: families.Bad Family.computeBoundFraction: a sustained power fraction of TDP cannot exceed 1, found 1.2"))
    }

    @Test func invalidJSONIsOneProblem() {
        guard case let .failure(e) = PowerProfileDecoder.decode(bytes: Array("{".utf8), file: "pp.json") else {
            Issue.record("expected a failure")
            return
        }
        #expect(e.problems.count == 1)
        #expect(e.problems[0].description.hasPrefix("pp.json: invalid JSON"))
    }
}
