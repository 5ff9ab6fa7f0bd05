import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// Compute-bound test double: training step time = 3 x forward model FLOPs / (chips x matrix
/// peak x efficiency). A textbook bound from the chip spec, never the real estimators' numbers.
private struct ComputeBoundTrainingDouble: CaseEstimating {
    var efficiency = 0.5
    func estimate(_ c: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate {
        let chip = ChipParameters(chip: try catalog.chip(c.chip))
        let (_, peak) = try chip.matmulPeak(c.precision, emulate: true)
        let model = try c.resolveModel(in: zoo)
        let seq = c.sequenceLength ?? 1, tokens = Double(seq) * Double(c.globalBatch ?? 1)
        let flops = 3 * model.forwardFlopsPerToken(sequence: seq) * tokens
        let seconds = flops / (Double(c.chipCount) * peak * 1e12 * efficiency)
        guard c.metric == .stepTimeSeconds else { throw RunError("double models stepTimeSeconds only") }
        return CaseEstimate(value: seconds, plan: [("tp", .number(8)), ("pp", .number(1)), ("recompute", .string("none"))],
                            explanation: ["step FLOPs = \(flops)", "efficiency = \(efficiency)"], usesEstimatedSpecs: false)
    }
}

private func caseJSON(_ id: String, weight: Double = 1, chip: String = "a100-sxm4-80gb", kind: String = "training",
                      metric: String = "stepTimeSeconds", measured: Double = 20) -> String {
    let workload = kind == "training"
        ? #"{"kind": "training", "model": "gpt3-175b", "precision": "bf16", "sequenceLength": 2048, "globalBatch": 8}"#
        : #"{"kind": "inference", "model": "llama2-70b", "precision": "fp8", "scenario": "offline", "inputTokens": 128, "outputTokens": 128}"#
    return """
    {"id": "\(id)", "source": "test", "weight": \(weight), "system": {"chip": "\(chip)", "count": 8},
     "workload": \(workload), "plan": {"tp": 8}, "measured": {"metric": "\(metric)", "value": \(measured)}}
    """
}

/// Writes a case file into a fresh temporary directory and returns its path.
private func writeCases(_ text: String, name: String = "cases.json") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chipmodel-validate-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// `chipmodel validate ARGS` with the given registry, the way `ChipModelCLI.run` maps errors.
private func validate(_ args: [String], estimators: [MeasurementCase.Kind: any CaseEstimating]) -> (Int32, String, String) {
    let ctx = CommandContext()
    do {
        let parsed = try parseArguments(args, options: ValidateCommand.options + commonOptions, maxPositionals: 0)
        let code = try ValidateCommand.execute(parsed, ctx, estimators: estimators)
        return (code, ctx.stdout, ctx.stderr)
    } catch let e as InputError {
        return (65, ctx.stdout, e.problems.map { "error: \($0)\n" }.joined())
    } catch let e as UnknownIDError {
        return (64, ctx.stdout, "error: \(e)\n")
    } catch {
        return (1, ctx.stdout, "error: \(error)\n")
    }
}

@Suite struct ValidateCommandTests {
    let registry: [MeasurementCase.Kind: any CaseEstimating] = [.training: ComputeBoundTrainingDouble()]

    @Test func jsonReportHasExactlyTheCasesMDShape() throws {
        let file = try writeCases("[" + [caseJSON("T1"), caseJSON("T2", weight: 0.5, measured: 40),
                                         caseJSON("BAD", chip: "no-such-chip"), caseJSON("I1", kind: "inference", metric: "tokensPerSecond")]
            .joined(separator: ",") + "]")
        let (code, out, _) = validate(["--cases", file, "--format", "json"], estimators: registry)
        #expect(code == 0)
        let json = try JSONValue.parse(out)
        #expect(json.objectMembers?.map(\.0) == ["cases", "summary"])
        let cases = try #require(json["cases"]?.arrayValue)
        #expect(cases.map { $0["id"]?.stringValue } == ["T1", "T2", "BAD", "I1"])
        let ok = cases[0]
        #expect(ok.objectMembers?.map(\.0) == ["id", "metric", "measured", "estimate", "error", "weight", "plan"])
        #expect(ok["metric"]?.stringValue == "stepTimeSeconds" && ok["measured"]?.numberValue == 20 && ok["weight"]?.numberValue == 1)
        let est = try #require(ok["estimate"]?.numberValue), err = try #require(ok["error"]?.numberValue)
        #expect(abs(err - (est - 20) / 20) < 1e-12)
        #expect(ok["plan"]?.objectMembers?.map(\.0) == ["tp", "pp", "recompute"])
        let bad = cases[2]
        #expect(bad.objectMembers?.map(\.0) == ["id", "metric", "measured", "estimate", "error", "weight", "plan", "failure"])
        #expect(bad["estimate"] == .null && bad["error"] == .null)
        #expect(bad["failure"]?.stringValue?.contains("unknown chip 'no-such-chip'") == true)
        #expect(cases[3]["failure"]?.stringValue == "no estimator registered for inference cases")
        let summary = try #require(json["summary"])
        #expect(Set(summary.objectMembers?.map(\.0) ?? []) == ["count", "failed", "weightedMedianAbsError", "weightedMeanAbsError", "maxAbsError"])
        #expect(summary["count"]?.numberValue == 4 && summary["failed"]?.numberValue == 2)
        // Scored: T1 (w 1) and T2 (w 0.5) with the same estimate; |err| from the output itself.
        let e1 = abs(err), e2 = abs(try #require(cases[1]["error"]?.numberValue))
        let lowerMedian = e1  // T1 carries weight 1 of 1.5 (>= half) whichever of e1, e2 is smaller
        #expect(abs((summary["weightedMedianAbsError"]?.numberValue ?? -1) - lowerMedian) < 1e-12)
        #expect(abs((summary["weightedMeanAbsError"]?.numberValue ?? -1) - (e1 + 0.5 * e2) / 1.5) < 1e-12)
        #expect(summary["maxAbsError"]?.numberValue == max(e1, e2))
    }

    @Test func tableIsWorstFirstWithSummaryPerKind() throws {
        let file = try writeCases("[" + [caseJSON("NEAR"), caseJSON("FAR", measured: 1000), caseJSON("BAD", chip: "h100x")]
            .joined(separator: ",") + "]")
        let (code, out, _) = validate(["--cases", file], estimators: registry)
        #expect(code == 0)
        let order = ["BAD", "FAR", "NEAR"].map { id in out.range(of: "\n\(id) ")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order[0]! < order[1]! && order[1]! < order[2]!)
        #expect(out.contains("unknown chip 'h100x'"))
        #expect(out.contains("\nall ") && out.contains("\ntraining "))
    }

    @Test func kindFilterKeepsOnlyThatKind() throws {
        let file = try writeCases("[" + [caseJSON("T1"), caseJSON("I1", kind: "inference", metric: "tokensPerSecond")].joined(separator: ",") + "]")
        let (code, out, err) = validate(["--cases", file, "--kind", "inference", "--format", "json"], estimators: registry)
        #expect(code == 0)
        #expect(try JSONValue.parse(out)["cases"]?.arrayValue?.map { $0["id"]?.stringValue } == ["I1"])
        #expect(err.contains("no estimator registered for inference cases"))
    }

    @Test func explainPrintsTheFullBreakdown() throws {
        let file = try writeCases("[" + [caseJSON("T1"), caseJSON("T2")].joined(separator: ",") + "]")
        let (code, out, _) = validate(["--cases", file, "--explain", "T2"], estimators: registry)
        #expect(code == 0)
        for needle in ["case T2 (training", "system: 8 x a100-sxm4-80gb", "plan given: tp=8", "measured: stepTimeSeconds = 20",
                       "estimate: stepTimeSeconds = ", "plan used: tp=8 pp=1 recompute=none", "breakdown:", "  step FLOPs = ", "  efficiency = 0.5"] {
            #expect(out.contains(needle), "missing '\(needle)'")
        }
        #expect(!out.contains("case T1"))
        let (jcode, jout, _) = validate(["--cases", file, "--explain", "T1", "--format", "json"], estimators: registry)
        #expect(jcode == 0)
        let j = try JSONValue.parse(jout)
        #expect(j["id"]?.stringValue == "T1" && j["explanation"]?.arrayValue?.count == 2)
    }

    @Test func explainUnknownIDSuggestsNearest() throws {
        let file = try writeCases("[" + [caseJSON("TRN-KOR22-03"), caseJSON("TRN-KOR22-04")].joined(separator: ",") + "]")
        let (code, _, err) = validate(["--cases", file, "--explain", "TRN-KOR22-3"], estimators: registry)
        #expect(code == 64)
        #expect(err.contains("unknown case 'TRN-KOR22-3'") && err.contains("'TRN-KOR22-03'"))
        let (code2, _, err2) = runCLI(["validate", "--cases", file, "--explain", "nope"])
        #expect(code2 == 64 && err2.contains("unknown case 'nope'"))
    }

    @Test func badCaseFileReportsEveryProblemWithFileAndKeyPath() throws {
        let text = "[" + caseJSON("A").replacingOccurrences(of: #""count": 8"#, with: #""count": -1"#) + ","
            + caseJSON("B").replacingOccurrences(of: "stepTimeSeconds", with: "stepTime") + "]"
        let file = try writeCases(text)
        let (code, out, err) = runCLI(["validate", "--cases", file])
        #expect(code == 65 && out.isEmpty)
        let lines = err.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.contains { $0.hasPrefix("error: \(file): [0].system.count: ") })
        #expect(lines.contains { $0.hasPrefix("error: \(file): [1].measured.metric: ") })
        let broken = try writeCases("[{\"id\": ")
        let (code2, _, err2) = runCLI(["validate", "--cases", broken])
        #expect(code2 == 65 && err2.hasPrefix("error: \(broken): invalid JSON"))
        let (code3, _, err3) = runCLI(["validate", "--cases", broken + ".missing"])
        #expect(code3 == 66 && err3.contains("no such file"))
        let (code4, _, err4) = runCLI(["validate"])
        #expect(code4 == 64 && err4.contains("--cases"))
        let (code5, _, _) = runCLI(["validate", "--cases", file, "--kind", "train"])
        #expect(code5 == 64)
    }

    /// The project's own suite loads through the command and every case gets a row (estimate
    /// or reason). Uses the test double: the real estimators run once, in ValidationSuiteTests.
    @Test func benchmarkSuiteRunsThroughTheCommand() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("Benchmarks/calibration-cases.json").path
        let (code, out, _) = validate(["--cases", path, "--format", "json"], estimators: registry)
        #expect(code == 0)
        let json = try JSONValue.parse(out)
        let cases = try #require(json["cases"]?.arrayValue)
        #expect(cases.count == 47)
        #expect(cases.allSatisfy { $0["estimate"]?.numberValue != nil || $0["failure"]?.stringValue != nil })
        #expect(json["summary"]?["count"]?.numberValue == 47)
    }
}
