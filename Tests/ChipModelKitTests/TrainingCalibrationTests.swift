import Foundation
import Testing
@testable import ChipModelKit

/// Errors of the training estimator on the training cases of Benchmarks/calibration-cases.json.
struct TrainingCaseErrors {
    var rows: [(id: String, weight: Double, measured: Double, estimate: Double?, error: Double?, note: String)]
    var weightedMedian: Double
    var maxAbs: Double
}

func trainingCaseErrors() throws -> TrainingCaseErrors {
    let cases = try benchmarkCases().filter { $0.kind == .training }
    let catalog = try ChipCatalog.builtIn()
    let zoo = try ModelZoo.builtIn()
    let est = TrainingCaseEstimator()
    var rows: [(id: String, weight: Double, measured: Double, estimate: Double?, error: Double?, note: String)] = []
    for c in cases {
        do {
            let e = try est.estimate(c, catalog: catalog, zoo: zoo)
            let err = (e.value - c.measured) / c.measured
            rows.append((c.id, c.weight, c.measured, e.value, err, e.explanation.dropFirst().prefix(3).joined(separator: " | ")))
        } catch {
            rows.append((c.id, c.weight, c.measured, nil, nil, "\(error)"))
        }
    }
    let scored = rows.compactMap { r in r.error.map { (abs($0), r.weight) } }.filter { $0.1 > 0 }.sorted { $0.0 < $1.0 }
    let total = scored.reduce(0) { $0 + $1.1 }
    var acc = 0.0, median = Double.nan
    for (e, w) in scored { acc += w; if acc >= total / 2 { median = e; break } }
    return TrainingCaseErrors(rows: rows, weightedMedian: median, maxAbs: scored.last?.0 ?? .nan)
}

@Suite struct TrainingCalibrationTests {
    /// Prints the per-case table with CHIPMODEL_TRAINING_REPORT=1.
    @Test func trainingCasesWithinBounds() throws {
        guard ProcessInfo.processInfo.environment["CHIPMODEL_TRAINING_REPORT"] != nil else { return }
        let r = try trainingCaseErrors()
        for row in r.rows {
            let est = row.estimate.map { formatQuantity($0) } ?? "-"
            let err = row.error.map { String(format: "%+.1f%%", $0 * 100) } ?? "fail"
            print("\(row.id)\tw\(row.weight)\tmeas \(formatQuantity(row.measured))\test \(est)\t\(err)\t\(row.note)")
        }
        print("weighted median |err| \(r.weightedMedian), max \(r.maxAbs)")
    }
}
