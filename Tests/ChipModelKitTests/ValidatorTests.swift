import Testing
@testable import ChipModelKit

@Suite struct WeightedMedianTests {
    @Test func equalWeightsTakeTheLowerMiddle() {
        #expect(weightedLowerMedian([(1, 1), (2, 1), (3, 1), (4, 1)]) == 2)
        #expect(weightedLowerMedian([(4, 1), (3, 1), (2, 1), (1, 1)]) == 2)
        #expect(weightedLowerMedian([(1, 1), (2, 1)]) == 1)
        #expect(weightedLowerMedian([(5, 1), (1, 1), (3, 1)]) == 3)
        #expect(weightedLowerMedian([(7, 0.3)]) == 7)
    }

    @Test func weightsShiftTheMedian() {
        // 1, 2, 3 with weights 1, 1, 3: total 5, half 2.5; cumulative 1, 2, 5 -> 3.
        #expect(weightedLowerMedian([(1, 1), (2, 1), (3, 3)]) == 3)
        // 0.1 (0.5), 0.2 (1), 0.3 (0.5): total 2, half 1; cumulative 0.5, 1.5 -> 0.2.
        #expect(weightedLowerMedian([(0.3, 0.5), (0.1, 0.5), (0.2, 1)]) == 0.2)
        // Cumulative weight exactly half at the first value: 1 (w 2), 9 (w 2) -> 1.
        #expect(weightedLowerMedian([(9, 2), (1, 2)]) == 1)
    }

    @Test func zeroWeightAndNonFiniteAreIgnored() {
        #expect(weightedLowerMedian([(100, 0), (1, 1), (2, 1), (3, 1)]) == 2)
        #expect(weightedLowerMedian([(.nan, 1), (.infinity, 1), (4, 1)]) == 4)
        #expect(weightedLowerMedian([(1, 0)]) == nil)
        #expect(weightedLowerMedian([]) == nil)
    }
}

@Suite struct ValidatorTests {
    let catalog = try! ChipCatalog.builtIn()
    let zoo = try! ModelZoo.builtIn()

    /// A: +10 % (w 1), B: -20 % (w 1), C: +5 % (w 0.5), D: +50 % (w 0, information only),
    /// E: unknown chip, F: estimator throws, G: inference with no estimator registered.
    func mixedReport(parallel: Bool) throws -> ValidationReport {
        let cases = try decodeCases([
            trainingCaseJSON("A", weight: 1), trainingCaseJSON("B", weight: 1), trainingCaseJSON("C", weight: 0.5),
            trainingCaseJSON("D", weight: 0), trainingCaseJSON("E", weight: 1, chip: "a100-sxm4-80gbx"),
            trainingCaseJSON("F", weight: 1), inferenceCaseJSON("G", weight: 1),
        ])
        let estimator = ScaledMeasurementEstimator(errors: ["A": 0.1, "B": -0.2, "C": 0.05, "D": 0.5, "E": 0])
        return Validator(estimators: [.training: estimator], catalog: catalog, zoo: zoo, parallel: parallel).run(cases)
    }

    @Test func summaryStatisticsByHand() throws {
        let report = try mixedReport(parallel: false)
        let s = report.summary
        #expect(s.count == 7 && s.failed == 3 && s.scored == 3)
        // Scored |err|: C 0.05 (w 0.5), A 0.1 (w 1), B 0.2 (w 1); total 2.5, half 1.25;
        // cumulative 0.5, 1.5 -> median 0.1. Mean (0.025 + 0.1 + 0.2) / 2.5 = 0.13. Max 0.2
        // (D's 0.5 has weight 0 and does not count).
        #expect(abs(s.weightedMedianAbsError! - 0.1) < 1e-12)
        #expect(abs(s.weightedMeanAbsError! - 0.13) < 1e-12)
        #expect(abs(s.maxAbsError! - 0.2) < 1e-12)
        let byKind = Dictionary(uniqueKeysWithValues: report.summaryByKind.map { ($0.kind, $0.summary) })
        #expect(byKind[.training]?.count == 6 && byKind[.training]?.failed == 2)
        #expect(byKind[.inference]?.count == 1 && byKind[.inference]?.failed == 1)
        #expect(byKind[.inference]?.weightedMedianAbsError == nil)
    }

    @Test func signedErrorIsEstimateMinusMeasuredOverMeasured() throws {
        let report = try mixedReport(parallel: false)
        #expect(abs(report.result(id: "B")!.error! - -0.2) < 1e-12)
        #expect(abs(report.result(id: "A")!.estimate!.value - 11) < 1e-12)
    }

    @Test func failuresAreCaughtPerCaseWithReasons() throws {
        let report = try mixedReport(parallel: false)
        #expect(report.results.map(\.id) == ["A", "B", "C", "D", "E", "F", "G"])
        let e = report.result(id: "E")!, f = report.result(id: "F")!, g = report.result(id: "G")!
        #expect(e.failed && e.failure!.contains("unknown chip 'a100-sxm4-80gbx'") && e.failure!.contains("a100-sxm4-80gb"))
        #expect(f.failure == "plan does not fit in memory")
        #expect(g.failure == "no estimator registered for inference cases")
        #expect(e.error == nil && f.estimate == nil)
    }

    @Test func worstFirstPutsFailuresFirstThenLargestError() throws {
        let report = try mixedReport(parallel: false)
        #expect(report.worstFirst.map(\.id) == ["E", "F", "G", "D", "B", "A", "C"])
    }

    @Test func parallelRunKeepsCaseOrderAndResults() throws {
        let serial = try mixedReport(parallel: false), parallel = try mixedReport(parallel: true)
        #expect(serial.results.map(\.id) == parallel.results.map(\.id))
        #expect(serial.results.map(\.error) == parallel.results.map(\.error))
        #expect(serial.results.map(\.failure) == parallel.results.map(\.failure))
        #expect(serial.summary == parallel.summary)
    }

    @Test func nonFiniteEstimateIsAFailure() throws {
        struct NaNEstimator: CaseEstimating {
            func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
                CaseEstimate(value: .nan, plan: [], explanation: [], usesEstimatedSpecs: false)
            }
        }
        let cases = try decodeCases([trainingCaseJSON("N", weight: 1)])
        let report = Validator(estimators: [.training: NaNEstimator()], catalog: catalog, zoo: zoo).run(cases)
        #expect(report.summary.failed == 1)
        #expect(report.result(id: "N")!.failure!.contains("expected a positive finite value"))
        #expect((try? JSONValue.parse(report.json.serialized())) != nil)  // our parser rejects NaN
    }

    @Test func computeBoundDoubleGivesPhysicalErrors() throws {
        // Sanity of the test double itself against a hand computation: GPT-3 175B on 8 A100,
        // B=8, s=2048 at 50 % of the 312 TFLOP/s BF16 peak.
        let cases = try decodeCases([trainingCaseJSON("P", weight: 1, measured: 100)])
        let report = Validator(estimators: [.training: ComputeBoundEstimator(efficiency: 0.5)], catalog: catalog, zoo: zoo)
            .run(cases)
        let model = try zoo.model("gpt3-175b")
        let peak = try ChipParameters(chip: try catalog.chip("a100-sxm4-80gb")).matmulPeak(.bf16).1
        let expected = 3 * model.forwardFlopsPerToken(sequence: 2048) * 2048 * 8 / (8 * peak * 1e12 * 0.5)
        let value = try #require(report.result(id: "P")?.estimate?.value)
        #expect(abs(value / expected - 1) < 1e-12)
        #expect(expected > 5 && expected < 60)  // about 24 s: 6 x 175e9 x 16384 / 1.25e15
    }

    @Test func tableListsEveryCaseWorstFirstThenSummaries() throws {
        let text = try mixedReport(parallel: true).renderText()
        let lines = text.split(separator: "\n").map(String.init)
        let caseLines = lines.filter { l in ["A", "B", "C", "D", "E", "F", "G"].contains { l.hasPrefix($0 + " ") } }
        #expect(caseLines.map { String($0.prefix(1)) } == ["E", "F", "G", "D", "B", "A", "C"])
        #expect(text.contains("no estimator registered for inference cases"))
        #expect(text.contains("-20.0%") && text.contains("+10.0%"))
        #expect(lines.contains { $0.hasPrefix("all ") && $0.contains("10.0%") && $0.contains("13.0%") })
        #expect(lines.contains { $0.hasPrefix("training ") } && lines.contains { $0.hasPrefix("inference ") })
    }
}
