import Foundation
import Testing
@testable import ChipModelKit

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
        #expect(e.explanation.contains { $0.hasPrefix("server (queue simulation") })
        // A training case is refused, not estimated.
        let training = try #require(cases.first { $0.kind == .training })
        #expect(throws: (any Error).self) { try InferenceCaseEstimator().estimate(training, catalog: try ChipCatalog.builtIn(), zoo: try ModelZoo.builtIn()) }
    }
}
