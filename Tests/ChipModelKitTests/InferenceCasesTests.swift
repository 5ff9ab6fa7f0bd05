import Foundation
import Testing
@testable import ChipModelKit

/// Estimates every inference case of Benchmarks/calibration-cases.json whose chip is in the
/// catalog and checks the aggregate error.
func inferenceCaseErrors() throws -> [(id: String, weight: Double, measured: Double, estimate: Double?, failure: String?)] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/calibration-cases.json")
    let cases = try CaseDecoder.decode(bytes: [UInt8](try Data(contentsOf: url)), file: "calibration-cases.json").get()
    var catalog = try ChipCatalog.builtIn()
    // Developer aid: INFERENCE_EXTRA_SPECS=DIR adds spec files (e.g. chips from another branch).
    if let dir = ProcessInfo.processInfo.environment["INFERENCE_EXTRA_SPECS"] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        let docs = try files.filter { $0.hasSuffix(".json") }.map {
            SpecDocument(file: $0, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))))
        }
        catalog = try ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: docs)
    }
    let zoo = try ModelZoo.builtIn()
    let est = InferenceCaseEstimator()
    var out: [(String, Double, Double, Double?, String?)] = []
    for c in cases where c.kind == .inference {
        do {
            let e = try est.estimate(c, catalog: catalog, zoo: zoo)
            out.append((c.id, c.weight, c.measured, e.value, nil))
        } catch {
            out.append((c.id, c.weight, c.measured, nil, "\(error)"))
        }
    }
    return out
}

/// Weighted median of `values` with `weights` (the smallest value whose cumulative weight
/// reaches half the total).
func weightedMedian(_ pairs: [(value: Double, weight: Double)]) -> Double {
    let s = pairs.filter { $0.weight > 0 }.sorted { $0.value < $1.value }
    let total = s.reduce(0) { $0 + $1.weight }
    var acc = 0.0
    for p in s {
        acc += p.weight
        if acc >= total / 2 { return p.value }
    }
    return s.last?.value ?? 0
}

@Suite struct InferenceCasesTests {
    @Test func calibrationCasesWithinBounds() throws {
        let rows = try inferenceCaseErrors()
        var pairs: [(value: Double, weight: Double)] = []
        for r in rows {
            if let e = r.estimate {
                let err = (e - r.measured) / r.measured
                pairs.append((abs(err), r.weight))
                print("case \(r.id): measured \(r.measured) estimate \(formatQuantity(e)) error \(formatQuantity(err * 100, decimals: 1))%")
            } else {
                print("case \(r.id): failed: \(r.failure ?? "")")
            }
        }
        let median = weightedMedian(pairs)
        let maxErr = pairs.map(\.value).max() ?? 0
        print("inference cases: \(pairs.count) estimated, weighted median |error| \(formatQuantity(median * 100, decimals: 1))%, max \(formatQuantity(maxErr * 100, decimals: 1))%")
        #expect(!pairs.isEmpty)
        #expect(median <= 0.15)
        #expect(maxErr <= 0.2)
        // Every failure is a chip not in this catalog, never a crash or a model error.
        for r in rows where r.estimate == nil { #expect(r.failure?.contains("unknown chip") == true || r.failure?.contains("chip") == true) }
    }
}

@Suite struct InferenceExplainDebug {
    @Test func explain() throws {
        guard let id = ProcessInfo.processInfo.environment["EXPLAIN_CASE"] else { return }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/calibration-cases.json")
        let cases = try CaseDecoder.decode(bytes: [UInt8](try Data(contentsOf: url)), file: "calibration-cases.json").get()
        let c = try #require(cases.first { $0.id == id })
        var catalog = try ChipCatalog.builtIn()
        if let dir = ProcessInfo.processInfo.environment["INFERENCE_EXTRA_SPECS"] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            let docs = try files.filter { $0.hasSuffix(".json") }.map {
                SpecDocument(file: $0, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))))
            }
            catalog = try ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: docs)
        }
        let e = try InferenceCaseEstimator().estimate(c, catalog: catalog, zoo: try ModelZoo.builtIn())
        print(e.explanation.joined(separator: "\n"))
    }
}
