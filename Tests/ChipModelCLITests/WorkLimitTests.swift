import Testing
@testable import ChipModelCLI

/// The work limit (issue 14): sizes estimated before any work, refused above the limit with
/// the size, the limit and the override, allowed with `--max-work`.
@Suite struct WorkLimitTests {
    @Test func aSweepAboveItsLimitIsRefusedAndAllowedWithMaxWork() {
        let args = ["whatif", "--from", "a100-sxm4-80gb", "--metric", "roofline", "--vary", "batch=1,2,4,8"]
        // a100 has ranged specs: 3 corners per point.
        let (code, out, err) = runCLI(args + ["--max-work", "11"])
        #expect(code == 64 && out.isEmpty)
        #expect(err.contains("about 12 work units (4 points x 3 evaluations x 1 unit (roofline)), above the limit of 11"), "\(err)")
        #expect(err.contains("--max-work 12"))
        let (ok, rows, _) = runCLI(args + ["--max-work", "12", "--format", "csv"])
        #expect(ok == 0 && rows.split(separator: "\n").count == 5)
    }

    @Test func sizesCountCornersSamplesAndSearches() throws {
        let training = WorkEstimate.Cost.trainingSearch
        let (code, _, err) = runCLI(["whatif", "--from", "br166", "--vary", "batch=64,128", "--monte-carlo", "7", "--max-work", "1"])
        #expect(code == 64)
        // br166 has ranged specs: 3 corners + 7 samples per point, plus the 6 levers at the
        // nominal corner (TrainingLevers), a plan search each.
        #expect(err.contains("about \(formatCount(2 * 16 * training)) work units (2 points x 16 evaluations"), "\(err)")
        let (noLevers, _, err4) = runCLI(["whatif", "--from", "br166", "--vary", "batch=64,128", "--monte-carlo", "7", "--no-levers", "--max-work", "1"])
        #expect(noLevers == 64 && err4.contains("(2 points x 10 evaluations"), "\(err4)")
        let (fixed, _, err2) = runCLI(["whatif", "--from", "a100-sxm4-80gb", "--tp", "8", "--pp", "1", "--dp", "8", "--chips", "64",
                                       "--vary", "batch=64", "--max-work", "1"])
        #expect(fixed == 64 && err2.contains("x 100 units (training)"), "\(err2)")
        let (scaling, _, err3) = runCLI(["estimate", "--chip", "a100-sxm4-80gb", "--chips", "1024", "--scaling", "--max-work", "1"])
        // Rows from the 8-chip domain doubling to 1024: 8 rows.
        #expect(scaling == 64 && err3.contains("8 --scaling rows"), "\(err3)")
    }

    @Test func theCalibrationCasesAreWithinTheDefaultLimit() {
        let (code, _, err) = runCLI(["validate", "--cases", "Benchmarks/calibration-cases.json", "--max-work", "1"])
        #expect(code == 64 && err.contains("work units"))
        let size = err.split(separator: " ").dropFirst(5).first.map { Double($0.replacingOccurrences(of: ",", with: "")) ?? .infinity } ?? .infinity
        #expect(size < Double(WorkLimit.defaultUnits), "\(err)")
    }

    @Test func formatCountGroupsDigits() {
        #expect(formatCount(0) == "0")
        #expect(formatCount(999) == "999")
        #expect(formatCount(1_000) == "1,000")
        #expect(formatCount(300_000_000) == "300,000,000")
    }
}
