import Foundation
import Testing
@testable import ChipModelKit

/// The repository root, found from this file's path (tests read project files, never ../shared).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// With `CHIPMODEL_UPDATE_BANDS=1`, writes `source()` over the generated file at `path` (under the
/// repository root) and returns true (the caller's check is then skipped); else false.
func updateGeneratedBandsIfAsked(_ path: String, _ source: () -> String) throws -> Bool {
    guard ProcessInfo.processInfo.environment["CHIPMODEL_UPDATE_BANDS"] == "1" else { return false }
    try source().write(to: repositoryRoot.appendingPathComponent(path), atomically: true, encoding: .utf8)
    return true
}

/// A generated band table is well formed: a band for each of `families`, each spanning zero,
/// and the band of every other family at least as wide as each.
func expectWellFormedBands(_ byFamily: [String: ModelErrorBand], uncalibrated: ModelErrorBand, families: Set<String>) {
    #expect(Set(byFamily.keys) == families)
    for b in byFamily.values {
        #expect(b.low < 0 && b.high > 0)
        #expect(uncalibrated.low <= b.low && uncalibrated.high >= b.high)
    }
}

func benchmarkCases() throws -> [MeasurementCase] {
    let url = repositoryRoot.appendingPathComponent("Benchmarks/calibration-cases.json")
    let bytes = [UInt8](try Data(contentsOf: url))
    return try CaseDecoder.decode(bytes: bytes, file: "Benchmarks/calibration-cases.json").get()
}

@Suite struct CaseDecoderTests {
    @Test func benchmarkSuiteLoads() throws {
        let cases = try benchmarkCases()
        #expect(cases.count == 47)
        let kor = try #require(cases.first { $0.id == "TRN-KOR22-04" })
        #expect(kor.plan.recompute == .selective && kor.plan.sequenceParallel == true && kor.plan.virtualStages == 3)
        #expect(kor.metric == .stepTimeSeconds && kor.measured == 13.75)
        let srv = try #require(cases.first { $0.id == "INF-MLPI40-H100x8-L2-SRV" })
        #expect(srv.scenario == .server && srv.ttftBoundMs == 2000 && srv.tpotBoundMs == 200)
    }

    @Test func problemsNameTheCaseAndKey() {
        let text = #"[{"id": "X", "source": "s", "weight": 2, "system": {"chip": "a", "count": 0},"#
            + #" "workload": {"kind": "training", "model": "m", "precision": "fp9", "sequenceLength": 1, "globalBatch": 1},"#
            + #" "measured": {"metric": "ttftMs", "value": 1}, "extra": 1}]"#
        guard case let .failure(e) = CaseDecoder.decode(bytes: Array(text.utf8), file: "c.json") else {
            Issue.record("expected failure"); return
        }
        let lines = e.problems.map(\.description)
        #expect(lines.contains("c.json: [0].weight: must be in 0...1, found 2"))
        #expect(lines.contains { $0.hasPrefix("c.json: [0].system.count: must be a whole number in 1...") })
        #expect(lines.contains("c.json: [0].workload.precision: unknown number format 'fp9'"))
        #expect(lines.contains("c.json: [0].extra: unknown key"))
        #expect(lines.contains("c.json: [0].measured.metric: 'ttftMs' is not a training metric"))
    }
}
