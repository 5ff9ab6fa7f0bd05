import ChipModelKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files the process families write into their scratch directories.
enum ProcessFuzzFixtures {
    static func inferenceCase(_ id: String) -> String {
        #"{"id": "\#(id)", "source": "fuzz", "weight": 1, "system": {"chip": "h100-sxm5-80gb", "count": 8}, "workload": {"kind": "inference", "model": "llama3-8b", "precision": "fp8", "scenario": "offline", "inputTokens": 128, "outputTokens": 128}, "measured": {"metric": "tokensPerSecond", "value": 1000}}"#
    }

    static func trainingCase(_ id: String, plan: Bool) -> String {
        let p = plan ? #", "plan": {"tp": 8, "pp": 1, "dp": 8}"# : ""
        return #"{"id": "\#(id)", "source": "fuzz", "weight": 1, "system": {"chip": "h100-sxm5-80gb", "count": 64}, "workload": {"kind": "training", "model": "llama3-8b", "precision": "bf16", "sequenceLength": 2048, "globalBatch": 64}\#(p), "measured": {"metric": "tokensPerSecondPerChip", "value": 1000}}"#
    }

    static let cases = "[" + inferenceCase("INF-1") + ",\n" + inferenceCase("INF-2") + "]"

    static let model = #"{"id": "tiny", "name": "Tiny", "architecture": "llama", "source": "fuzz", "layers": 2, "hidden": 256, "heads": 4, "kvHeads": 4, "ffnHidden": 512, "vocab": 1000}"#

    /// The built-in H100 spec under a new id.
    static let chipSpec: String = {
        let text = EmbeddedSpecs.chips.first { $0.file.hasSuffix("h100-sxm5-80gb.json") }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "{}"
        return text.replacingOccurrences(of: "\"id\": \"h100-sxm5-80gb\"", with: "\"id\": \"fuzz-h100\"")
    }()

    /// The H100 spec with `n` extra sources (the quadratic loader of issue 14).
    static func chipSpec(extraSources n: Int) -> String {
        guard let open = chipSpec.range(of: "\"sources\": {") else { return chipSpec }
        var extra = ""
        extra.reserveCapacity(n * 70)
        for i in 0..<n { extra += "\"s\(i)\": {\"title\": \"source \(i)\", \"url\": \"https://example.com/\(i)\"}, " }
        return String(chipSpec[..<open.upperBound]) + extra + String(chipSpec[open.upperBound...])
    }
}

extension ProcessFuzzTargets {
    typealias E = Expectation

    // MARK: - Output files

    enum TargetKind: CaseIterable { case absent, regular, symlinkRegular, symlinkStdout, fifo, device, directory, readOnly, missingParent, input, hardLinkedInput }

    static func outputs(_ env: ProcessFuzzEnvironment) -> FuzzTarget {
        target("proc-outputs") { rng, d in
            let kind = rng.pick(TargetKind.allCases)
            d.write("m.json", ProcessFuzzFixtures.model)
            var target = "plot.svg"
            switch kind {
            case .absent: break
            case .regular: d.write("plot.svg", "old plot\n")
            case .symlinkRegular: d.write("real.svg", "old plot\n"); _ = symlink(d.file("real.svg"), d.file("plot.svg"))
            case .symlinkStdout: _ = symlink("/dev/stdout", d.file("plot.svg"))
            case .fifo: d.mkfifo("plot.svg")
            case .device: target = "/dev/null"
            case .directory: _ = mkdir(d.file("plot.svg"), 0o755)
            case .readOnly: d.write("plot.svg", "read-only\n", mode: 0o444)
            case .missingParent: target = "nodir/plot.svg"
            case .input: target = "m.json"
            case .hardLinkedInput: _ = link(d.file("m.json"), d.file("plot.svg"))
            }
            let nothing = rng.chance(0.15)
            let commands: [[String]] = [
                ["roofline", "h100-sxm5-80gb", "--svg", target],
                ["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1..16*2", "--model", "m.json", "--svg", target],
                ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "1", "--model", "m.json", "--svg", target],
            ]
            let args = nothing ? ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "1", "--model", "llama3.1-405b", "--svg", target]
                               : rng.pick(commands)
            var e = E()
            let usesInput = zip(args, args.dropFirst()).contains { $0 == "--model" && $1 == "m.json" }
            switch kind {
            case .absent, .regular:
                e.exits = [0]
                if !nothing { e.mayChange = ["plot.svg"] }
            case .input where !usesInput:
                e.exits = [0]
                e.mayChange = ["m.json"]  // m.json is no input of this command: an ordinary target
            case .hardLinkedInput where !usesInput:
                e.exits = [0]
                e.mayChange = ["plot.svg"]  // replaced by rename: m.json keeps its content
            default:
                e.exits = [73]
                e.stdoutEmpty = true
            }
            return execute(env, d, args, expect: e, setup: "target \(kind)\(nothing ? ", nothing to plot" : "")")
        }
    }

    // MARK: - Limits

    static func limits(_ env: ProcessFuzzEnvironment) -> FuzzTarget {
        target("proc-limits") { rng, d in
            var e = E()
            var args: [String]
            switch rng.below(7) {
            case 0:  // a roofline grid of at least a million points
                let a = 1_000 + rng.below(9_001), b = 1_000 + rng.below(9_001)
                args = ["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1..\(a)+1", "--vary", "seq=1..\(b)+1"]
                e.exits = [64]; e.error = "work units"
            case 1:  // training Monte Carlo
                args = ["whatif", "--from", rng.pick(["br166", "h100-sxm5-80gb"]), "--monte-carlo", String(300 + rng.below(99_700))]
                e.exits = [64]; e.error = "work units"
            case 2:  // case files without plans
                let n = 300 + rng.below(4_700)
                d.write("big.json", "[" + (0..<n).map { ProcessFuzzFixtures.trainingCase("T-\($0)", plan: false) }.joined(separator: ",\n") + "]")
                args = ["validate", "--cases", "big.json"]
                e.exits = [64]; e.error = "work units"
            case 3:  // many chips compared
                args = ["estimate"] + Array(repeating: ["--chip", "h100-sxm5-80gb"], count: 100 + rng.below(200)).flatMap { $0 }
                e.exits = [64]; e.error = "work units"
            case 4:  // small runs go through
                let a = 1 + rng.below(10), b = 1 + rng.below(10)
                args = ["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1..\(a)+1", "--vary", "seq=1..\(b)+1",
                        "--format", rng.pick(["table", "csv", "json"])]
                e.exits = [0]
            case 5:  // malformed --vary values, before any work and without blaming a spec file
                let bad = ["memory.bandwidthGBps=-1", "bf16DenseTflops=1e300", "dies.computeDies=0.5", "batch=0", "batch=0.5,1", "seq=-3",
                           "batch=abc", "batch=1..", "=1", "batch=1..10+0", "batch=10..1+1", "memory.capacityGB=0", "year=3000",
                           "scaleUp.domainSize=0.25", "batch=1,,2", "nosuchkey=1", "batch=1e400"]
                args = ["whatif", "--from", "h100-sxm5-80gb", "--metric", rng.pick(["roofline", "training", "inference"]), "--vary", rng.pick(bad)]
                e.exits = [64]; e.forbidden = "Specs/chips"
            default:  // an explicit override runs what the limit would refuse (kept small)
                args = ["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1..40+1", "--max-work", "120"]
                e.exits = [0]
            }
            e.stdoutEmpty = e.exits == [64]
            return execute(env, d, args, expect: e, setup: "limits")
        }
    }

    // MARK: - Contracts

    static func contracts(_ env: ProcessFuzzEnvironment) -> FuzzTarget {
        target("proc-contracts") { rng, d in
            var e = E()
            var program: String?
            let args: [String]
            switch rng.below(7) {
            case 0: args = ["help", "help"]; e.exits = [0]
            case 1: args = [rng.pick(["chips", "roofline", "estimate", "validate", "whatif", "roadmap"]), "--format", rng.pick(["xml", "JSON", "", "yaml", "tsv"])]
                e.exits = [64]; e.error = "--format"; e.stdoutEmpty = true
            case 2: d.write("c.json", ProcessFuzzFixtures.cases)
                args = ["validate", "--cases", "c.json", "--explain", "INF-1", "--format", "csv"]; e.exits = [64]; e.error = "--format csv"
            case 3: program = env.fuzzTool; args = ["--format", "json", "--iterations", String(1 + rng.below(5)), "--seed", String(rng.below(1000))]
                e.exits = [0]
            case 4: program = env.fuzzTool; args = ["--format", "csv"]; e.exits = [64]; e.error = "--format"
            case 5: args = ["help", rng.pick(["nosuch", "chip", "fuzz"])]; e.exits = [64]; e.error = "unknown command"
            default: args = [rng.pick(["chips", "estimate", "whatif"]), "--help"]; e.exits = [0]
            }
            return execute(env, d, program: program, args, expect: e, setup: program == nil ? "contracts" : "chipmodel-fuzz")
        }
    }

    // MARK: - Signals during an output write

    static func signals(_ env: ProcessFuzzEnvironment) -> FuzzTarget {
        target("proc-signals") { rng, d in
            let sig = rng.pick([SIGINT, SIGTERM, SIGHUP])
            if rng.bool() { d.write("plot.svg", "old plot\n") }
            let args = rng.pick([["roofline", "h100-sxm5-80gb", "--svg", "plot.svg"],
                                 ["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "batch=1..8*2", "--svg", "plot.svg"]])
            var e = E()
            e.signals = [sig]
            return execute(env, d, args, environment: ["CHIPMODEL_TEST_SIGNAL_BEFORE_RENAME": String(sig)], expect: e, setup: "signal \(sig) before the rename")
        }
    }

    // MARK: - Loaders

    static func loaders(_ env: ProcessFuzzEnvironment) -> FuzzTarget {
        target("proc-loaders") { rng, d in
            var e = E()
            let args: [String]
            _ = mkdir(d.file("specs"), 0o755)
            switch rng.below(3) {
            case 0:  // a large sources table (40k entries took 5.4 s before issue 14)
                d.write("specs/big.json", ProcessFuzzFixtures.chipSpec(extraSources: 10_000 + rng.below(90_000)))
                args = ["chips", "show", "fuzz-h100", "--specs", "specs"]
                e.exits = [0]
            case 1:  // many unknown keys: reported, capped, in linear time
                let n = 5_000 + rng.below(45_000)
                let keys = (0..<n).map { "\"unknown\($0)\": 1" }.joined(separator: ", ")
                var spec = ProcessFuzzFixtures.chipSpec
                if let brace = spec.firstIndex(of: "{") { spec.replaceSubrange(brace...brace, with: "{" + keys + ", ") }
                d.write("specs/bad.json", spec)
                args = ["chips", "--specs", "specs"]
                e.exits = [65]
            default:  // a long case file with one duplicate id
                let n = 2_000 + rng.below(8_000)
                d.write("cases.json", "[" + (0..<n).map { ProcessFuzzFixtures.inferenceCase("I-\($0 == n - 1 ? 0 : $0)") }.joined(separator: ",\n") + "]")
                args = ["validate", "--cases", "cases.json"]
                e.exits = [65]
            }
            return execute(env, d, args, expect: e, setup: "large loader input")
        }
    }
}
