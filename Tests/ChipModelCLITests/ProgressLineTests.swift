import ChipModelCLI
import ChipModelFuzz
import Foundation
import Testing

/// The progress line of long runs (`SweepProgress`): per chip for `estimate` tables (training,
/// `--scaling`, inference), per part for `roadmap`, per point for `whatif` (Monte Carlo samples
/// counted beside), on a terminal only.
@Suite struct ProgressLineTests {
    static let runs: [([String], String)] = [
        (["estimate", "--chip", "br166", "--chip", "a100-sxm4-80gb", "--chips", "16", "--scaling", "--no-levers", "--no-goodput"], "estimate: 2/2 chips"),
        (["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chip", "br166"], "estimate: 2/2 chips"),
        (["roadmap", "biren", "--roofline", "--parts", "br106,br166"], "roadmap: 2/2 parts"),
        (["whatif", "--from", "br166", "--metric", "roofline", "--monte-carlo", "8"], "whatif: 1/1 points"),
    ]

    /// On a terminal (threshold zero: shown at once) each run ends its line with the totals.
    @Test(arguments: runs)
    func shownOnATerminal(_ args: [String], _ line: String) {
        let tty = CommandContext(stderrIsTerminal: true, environment: ["CHIPMODEL_PROGRESS_AFTER_MS": "0"])
        #expect(tty.progressThreshold == .zero)
        #expect(ChipModelCLI.run(args, context: tty) == 0, "\(tty.stderr)")
        #expect(tty.stderr.contains("\r" + line) && tty.stderr.contains(", done\n"), "\(args): \(tty.stderr.debugDescription)")
        let pipe = CommandContext(stderrIsTerminal: false, environment: ["CHIPMODEL_PROGRESS_AFTER_MS": "0"])
        #expect(ChipModelCLI.run(args, context: pipe) == 0)
        #expect(!pipe.stderr.contains("\r") && !pipe.stderr.contains(line), "\(args): \(pipe.stderr)")
        #expect(pipe.stdout == tty.stdout, "the output does not depend on the progress line")
    }

    /// A mixed estimate counts its searches: each group alone, the mixed search, the spec corners.
    @Test func mixedEstimateCountsItsSearches() {
        let args = ["estimate", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8", "--model", "llama3-8b", "--seq", "2048", "--batch", "32"]
        let tty = CommandContext(stderrIsTerminal: true, environment: ["CHIPMODEL_PROGRESS_AFTER_MS": "0"])
        #expect(ChipModelCLI.run(args, context: tty) == 0, "\(tty.stderr)")
        #expect(tty.stderr.contains("\restimate: 1/1 mixed estimate, 5 estimates, done\n"), "\(tty.stderr.debugDescription)")
        let pipe = CommandContext(stderrIsTerminal: false, environment: ["CHIPMODEL_PROGRESS_AFTER_MS": "0"])
        #expect(ChipModelCLI.run(args, context: pipe) == 0)
        #expect(!pipe.stderr.contains("\r") && !pipe.stderr.contains("mixed estimate"), "\(pipe.stderr)")
    }

    /// The finer units the library reports (spec corners, Monte Carlo samples, scaling rows).
    @Test func countsTheLibrarysFinerUnits() {
        let tty = CommandContext(stderrIsTerminal: true, environment: ["CHIPMODEL_PROGRESS_AFTER_MS": "0"])
        #expect(ChipModelCLI.run(["whatif", "--from", "br166", "--metric", "roofline", "--monte-carlo", "8"], context: tty) == 0)
        // br166 has ranged specs: 2 corners + 8 samples.
        #expect(tty.stderr.contains("whatif: 1/1 points, 10 estimates, done\n"), "\(tty.stderr.debugDescription)")
    }

    /// The real executable with stderr a pipe prints no progress, even with the threshold at zero.
    @Test func neverInAPipe() {
        for (args, line) in Self.runs {
            let r = ChildProcess.chipmodel(args, environment: ["CHIPMODEL_PROGRESS_AFTER_MS": "0"])
            #expect(r.exitCode == 0, "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("\r") && !r.stderr.contains(line), "\(args): \(r.stderr)")
        }
    }
}
