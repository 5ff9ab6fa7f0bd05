import ChipModelCLI
import ChipModelKit
import Foundation

/// Measurement 4 of issue 8: `chipmodel estimate` with no arguments, end to end in process
/// (`ChipModelCLI.run(["estimate"], context:)` with a buffering context: argument parsing,
/// catalog and model loading, one plan search per default chip, table rendering).
public enum EstimateBenchmark {
    public static let targetSeconds = 0.3

    public static let `case` = BenchmarkCase(
        name: "estimate-default",
        summary: "chipmodel estimate with no arguments, end to end in process, target 0.3 s"
    ) { config in
        // Smoke: a tiny cluster and model so a debug build stays fast (same code path).
        let args = config.smoke ? ["estimate", "--chips", "8", "--model", "llama3-8b", "--batch", "8", "--seq", "2048"] : ["estimate"]
        let clock = ContinuousClock()
        var code: Int32 = 0
        var output = ""
        var cold = 0.0
        let first = clock.measure {
            let ctx = CommandContext()
            code = ChipModelCLI.run(args, context: ctx)
            output = ctx.stdout + ctx.stderr
        }
        cold = RooflineKernelBenchmark.seconds(first)
        guard code == 0 else { throw RunError("chipmodel \(args.joined(separator: " ")) exited \(code): \(output.prefix(300))") }
        let timing = BenchmarkTiming.measure(BenchmarkConfig(smoke: config.smoke, repetitions: config.repetitions, warmups: 0)) {
            let ctx = CommandContext()
            code = ChipModelCLI.run(args, context: ctx)
            blackHole(ctx.stdout)
        }
        let lines = output.split(separator: "\n").count
        return [BenchmarkMeasurement(
            name: "estimate.default.wallSeconds", value: timing.min, unit: "s", ratio: timing.min / targetSeconds,
            reference: "target <= \(formatQuantity(targetSeconds)) s",
            detail: "chipmodel \(args.joined(separator: " ")) in process; min of \(config.repetitions) after a first (cold) run of \(formatQuantity(cold)) s; median \(formatQuantity(timing.median)) s; \(lines) output lines")]
    }
}
