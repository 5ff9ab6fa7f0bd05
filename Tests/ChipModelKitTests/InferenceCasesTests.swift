import Foundation
import Testing
@testable import ChipModelKit

/// Estimates every inference case of Benchmarks/calibration-cases.json whose chip is in the
/// catalog and checks the aggregate error.
func inferenceCaseErrors() throws -> [(id: String, weight: Double, measured: Double, estimate: Double?, failure: String?)] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/calibration-cases.json")
    let cases = try CaseDecoder.decode(bytes: [UInt8](try Data(contentsOf: url)), file: "calibration-cases.json").get()
    let catalog = try ChipCatalog.builtIn()
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

@Suite struct InferenceCaseExplanationTests {
    @Test func explanationAndPlanFollowTheCase() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/calibration-cases.json")
        let cases = try CaseDecoder.decode(bytes: [UInt8](try Data(contentsOf: url)), file: "calibration-cases.json").get()
        let c = try #require(cases.first { $0.id == "INF-MLPI40-H100x8-L2-SRV" })
        let e = try InferenceCaseEstimator().estimate(c, catalog: try ChipCatalog.builtIn(), zoo: try ModelZoo.builtIn())
        // The case fixes tp 2, pp 1, replicas 4; batch is searched.
        let plan = Dictionary(uniqueKeysWithValues: e.plan.map { ($0.0, $0.1.numberValue ?? -1) })
        #expect(plan["tp"] == 2 && plan["pp"] == 1 && plan["replicas"] == 4)
        #expect(e.explanation.contains { $0.hasPrefix("decode step at batch") })
        #expect(e.explanation.contains { $0.hasPrefix("memory per chip:") })
        #expect(e.explanation.contains { $0.contains("TP all-reduce (2 chips)") })
        #expect(e.explanation.contains { $0.hasPrefix("server: throughput x") })
        // A training case is refused, not estimated.
        let training = try #require(cases.first { $0.kind == .training })
        #expect(throws: (any Error).self) { try InferenceCaseEstimator().estimate(training, catalog: try ChipCatalog.builtIn(), zoo: try ModelZoo.builtIn()) }
    }
}
