import Foundation
import Testing
@testable import ChipModelKit

/// Branch and bound changes no calibration case: every training case of
/// Benchmarks/calibration-cases.json, through the validator (the `chipmodel validate` path),
/// gets the same value bit for bit and the same plan as with full enumeration.
@Suite struct BranchAndBoundCalibrationTests {
    @Test func calibrationCasesMatchFullEnumeration() throws {
        let cases = try benchmarkCases().filter { $0.kind == .training }
        #expect(!cases.isEmpty)
        var exhaustive = TrainingSearch.Options()
        exhaustive.exhaustive = true
        func report(_ options: TrainingSearch.Options) throws -> ValidationReport {
            Validator(estimators: [.training: TrainingCaseEstimator(options: options)], catalog: try ChipCatalog.builtIn(),
                      zoo: try ModelZoo.builtIn()).run(cases)
        }
        let full = try report(exhaustive), bb = try report(TrainingSearch.Options())
        for (a, b) in zip(full.results, bb.results) {
            let id = a.measurementCase.id
            #expect(a.failure == b.failure, "\(id): failure \(String(describing: a.failure)) vs \(String(describing: b.failure))")
            #expect(a.estimate?.value.bitPattern == b.estimate?.value.bitPattern,
                    "\(id): full enumeration \(String(describing: a.estimate?.value)), branch and bound \(String(describing: b.estimate?.value))")
            let pa = a.estimate?.plan.map { "\($0.0)=\($0.1)" }, pb = b.estimate?.plan.map { "\($0.0)=\($0.1)" }
            #expect(pa == pb, "\(id): plan \(String(describing: pa)) vs \(String(describing: pb))")
        }
        #expect(full.results.count == bb.results.count)
    }
}
