import ChipModelCLI
import ChipModelKit
import Foundation

/// The command-line fuzz target: argument vectors for every command in
/// `ChipModelCLI.commands` (so a command is fuzzed as soon as it is registered), built from
/// real invocations and from each command's declared options, then mutated (tokens dropped,
/// duplicated, swapped, unknown flags, missing values, absurd numbers), run in-process over
/// an in-memory file system holding mutated spec, model and case files.
///
/// Checks on every run: exit code in {0, 1, 64, 65, 66, 73}; a failure has an `error:` line,
/// a usage error (64) prints the usage line; every stderr line is a diagnostic (one line per
/// problem); a usage or input error (64-66) prints nothing on stdout (nothing half-done);
/// JSON output parses; no output (stdout, written files such as SVG) shows NaN or infinity as
/// a number.
public enum CLIFuzzTargets {
    /// Commands the argument fuzzer leaves out (the fuzzer itself).

    public static let allowedExitCodes: Set<Int32> = [0, 1, 64, 65, 66, 73]
    /// Prefixes every stderr line must start with.
    public static let stderrPrefixes = ["error: ", "usage: ", "See 'chipmodel help", "note: ", "warning: ", "wrote "]
    /// Product names that contain a non-finite word (spec text the user did not type):
    /// removed before the output is scanned.
    public static let productNames = ["infinity fabric", "infinity cache", "infinityfabric"]

    /// Real invocations, per command (options a command lacks become usage errors, which is
    /// fine: they start being meaningful when the command gains them).
    public static let realArguments: [String: [[String]]] = [
        "chips": [["chips"], ["chips", "show", "h100-sxm5-80gb"], ["chips", "compare", "a100-sxm4-80gb", "h100-sxm5-80gb"],
                  ["chips", "--format", "json"], ["chips", "--specs", "specs", "--format", "csv"],
                  ["chips", "show", "br166", "--format", "json"]],
        "roofline": [["roofline", "h100-sxm5-80gb"], ["roofline", "a100-sxm4-80gb", "--precision", "bf16", "--op", "gemm:4096,4096,4096"],
                     ["roofline", "br166", "--precision", "fp8", "--emulate", "--format", "json"],
                     ["roofline", "h100-sxm5-80gb", "--op", "gemm:1,8192,8192", "--svg", "out.svg"],
                     ["roofline", "h100-sxm5-80gb", "--op", "attention:1,32,8,2048,2048,128", "--format", "csv"],
                     ["roofline", "mi300x", "--op", "conv2d:32,64,64,56,56,3,1", "--op", "elementwise:1e9", "--op", "gemm:8192,8192,8192@k", "--compare", "b200-sxm-180gb"]],
        // Small clusters and models: a debug-build plan search over 1024 chips of a 70B model
        // takes seconds, and the quick run in `swift test` must stay within a few seconds.
        "estimate": [["estimate", "--chip", "h100-sxm5-80gb", "--chips", "64", "--model", "llama3-8b", "--seq", "2048", "--batch", "64"],
                     ["estimate", "--chip", "a100-sxm4-80gb", "--chips", "64", "--model", "gpt3-175b", "--tp", "8", "--pp", "8",
                      "--batch", "64", "--precision", "fp16"],
                     ["estimate", "--chip", "h100-sxm5-80gb", "--chip", "br166", "--chips", "8", "--model", "model.json", "--format", "json"],
                     ["estimate", "--chip", "mi300x", "--chips", "16", "--model", "llama2-7b", "--seq", "4096", "--batch", "32",
                      "--tp", "2", "--zero", "1", "--recompute", "selective", "--format", "csv"],
                     ["estimate", "--chip", "h100-sxm5-80gb", "--chips", "32", "--model", "mixtral-8x7b", "--ep", "8", "--tp", "8",
                      "--scale-up-domain", "8", "--specs", "specs", "--seq", "2048", "--batch", "32"],
                     ["estimate", "--chip", "h100-sxm5-80gb", "--chips", "16", "--model", "llama3-8b", "--batch", "16", "--scaling"],
                     ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "8", "--model", "llama2-70b", "--precision", "fp8"],
                     ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "8", "--model", "llama3-70b", "--scenario", "server",
                      "--ttft-ms", "500", "--tpot-ms", "50", "--format", "json"],
                     ["estimate", "--inference", "--chip", "mi300x", "--chips", "8", "--model", "mixtral-8x7b", "--tp", "8", "--ep", "8",
                      "--input-tokens", "1024", "--output-tokens", "1024", "--svg", "out.svg"],
                     ["estimate", "--inference", "--chip", "a100-sxm4-80gb", "--chips", "1", "--model", "llama3-8b", "--scenario", "single-stream",
                      "--kv-precision", "fp8", "--format", "csv"],
                     ["estimate", "--inference", "--chip", "br166", "--chips", "1", "--model", "resnet50-v1.5", "--batch", "32"],
                     ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chips", "1", "--model", "bert-large", "--scenario", "server"]],
        "validate": [["validate", "--cases", "cases.json"], ["validate", "--cases", "cases.json", "--format", "json"],
                     ["validate", "--cases", "cases.json", "--explain", "TRN-SEED-01"],
                     ["validate", "--cases", "/fuzz/cases.json", "--kind", "inference", "--format", "csv"],
                     ["validate", "--cases", "cases.json", "--kind", "training", "--explain", "INF-SEED-01"],
                     ["validate", "--cases", "model.json"], ["validate", "--cases", "empty.json"]],
        "whatif": [["whatif", "--from", "h100-sxm5-80gb", "--set", "memory.bandwidthGBps=4000", "--model", "llama3-8b"],
                   ["whatif", "--from", "br166", "--vary", "bf16DenseTflops=500,1000,2000", "--format", "csv"],
                   ["whatif", "--from", "a100-sxm4-80gb", "--set", "scaleUp.bandwidthGBps=1800", "--vary", "memory.capacityGB=40,80,160"],
                   ["whatif", "--from", "br166", "--inference", "--model", "llama3-70b", "--vary", "d2d.bandwidthGBps=448,896,1792", "--svg", "out.svg"],
                   ["whatif", "--from", "br166", "--from", "a100-sxm4-80gb", "--vary", "memory.bandwidthGBps=1000..8000*2", "--vary", "batch=8,32"],
                   ["whatif", "--chiplets", "1,2,4,8", "--die-area", "800", "--node", "7nm", "--format", "json"]],
        "roadmap": [["roadmap", "nvidia"], ["roadmap", "biren", "--format", "json"], ["roadmap", "NVIDIA", "--format", "csv"],
                    ["roadmap", "biren", "--parts", "br106,br166,br20x", "--model", "llama3-8b"]],
    ]

    /// What the argument generator draws from: ids from the built-in catalog and model zoo.
    package struct World: Sendable {
        var chipIDs: [String]
        var modelIDs: [String]
        var vendors: [String]
        var specKeys: [String]
    }

    package static func world() -> World {
        let catalog = try? ChipCatalog.builtIn()
        let chips = catalog?.ids ?? ["h100-sxm5-80gb"]
        let vendors = Array(Set((catalog?.chips ?? []).map { $0.vendor.lowercased() })).sorted()
        let models = (try? ModelZoo.builtIn())?.ids ?? ["llama3-8b"]
        let keys = (catalog?.chips.first?.allSpecValues.map(\.0) ?? ["memory.bandwidthGBps"]) + ChipSpecDecoder.peakKeys
        return World(chipIDs: chips, modelIDs: models, vendors: vendors.isEmpty ? ["nvidia"] : vendors, specKeys: keys)
    }

    public static let numbers = [
        "1", "2", "4", "8", "16", "64", "1024", "2048", "4096", "131072", "7", "0", "-1", "-8", "1000000000000", "1e12",
        "1e300", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999", "1.5",
        "0.0001", "abc", "", " ", "NaN", "nan", "inf", "-inf", "Infinity", "1_024", "0x10", "\u{FF13}", "1e-320", "+4", "-0",
    ]
    public static let unknownFlags = ["--bogus", "--chip-count", "-x", "---", "--", "-", "--=", "--format=", "--chips=",
                                      "--Chips", "-chips", "--chip=", "--specs=", "--no-such-option=1"]

    /// The CLI target over every registered command.
    public static func cli(_ corpus: FuzzCorpus) -> FuzzTarget {
        let w = world()
        let commands = ChipModelCLI.commands
        return FuzzTarget("cli") { rng in
            let files = memoryFiles(corpus, rng: &rng)
            var args: [String]
            if rng.chance(0.04) {
                args = [rng.pick(["", "help", "--help", "-h", "--version", "estmate", "chip", "ROOFLINE", "fuzzz", "\u{0}", "-"])]
                if rng.bool(), let c = rng.pickIfAny(commands) { args.append(c.name) }
            } else if let cmd = rng.pickIfAny(commands) {
                if let real = realArguments[cmd.name], rng.chance(0.45) {
                    args = rng.pick(real)
                } else {
                    args = generate(cmd, w, rng: &rng)
                }
                let mutations = rng.chance(0.3) ? 0 : 1 + rng.below(3)
                for _ in 0..<mutations { args = mutate(args, cmd, w, rng: &rng) }
            } else {
                args = []
            }
            let outcome = check(args, files: files)
            return FuzzResult(outcome, input: describe(args, files, limit: corpus.describeLimit))
        }
    }

    /// The command-line loaders themselves, whatever the commands do with them:
    /// `ChipModelCLI.catalog` over `--specs DIR` and `loadModel` over a model file or id.
    /// A load either succeeds or throws an error whose every line names the file.
    public static func loaders(_ corpus: FuzzCorpus) -> FuzzTarget {
        FuzzTarget("cli-load") { rng in
            let files = memoryFiles(corpus, rng: &rng)
            let context = CommandContext(environment: [:], currentDirectory: "/fuzz", memoryFiles: files)
            let loadCatalog = rng.bool()
            let argument = loadCatalog ? rng.pick(["specs", "/fuzz/specs", "specs/", "sub", "nope"])
                                       : rng.pick(["model.json", "/fuzz/model.json", "llama3-8b", "llama3-8", "cases.json", "empty.json", "nope.json", "sub/x.json"])
            let outcome: FuzzOutcome
            do {
                if loadCatalog {
                    let args = try parseArguments(["--specs", argument], options: commonOptions, maxPositionals: 0)
                    let catalog = try ChipModelCLI.catalog(args, context)
                    let userFiles = try context.jsonFiles(in: argument)
                    outcome = catalog.chips.count >= 1 && catalog.overrides.count <= userFiles.count
                        ? .accepted : .failed("catalog of \(catalog.chips.count) chips, \(catalog.overrides.count) overrides")
                } else {
                    let model = try loadModel(argument, context)
                    outcome = KitFuzzTargets.checkModelSpec(model).map { .failed($0) } ?? .accepted
                }
            } catch let e as InputError {
                let names = files.keys.map { String($0.dropFirst("/fuzz/".count)) } + Array(files.keys)
                outcome = KitFuzzTargets.checkProblems(e, files: names).map { .failed($0) } ?? .rejected
            } catch let e as RunError {
                outcome = KitFuzzTargets.multiLine(e.message).map { .failed("multi-line error \($0)") }
                    ?? (allowedExitCodes.contains(e.exitCode) ? .rejected : .failed("exit code \(e.exitCode)"))
            } catch let e as UnknownIDError {
                outcome = KitFuzzTargets.multiLine(e.description).map { .failed("multi-line error \($0)") } ?? .rejected
            } catch {
                outcome = .failed("unexpected error type: \(error)")
            }
            return FuzzResult(outcome, input: "load \(loadCatalog ? "--specs" : "--model") \(argument)\n" + describe([], files, limit: corpus.describeLimit))
        }
    }

    static func describe(_ args: [String], _ files: [String: [UInt8]], limit: Int) -> String {
        var s = "argv " + FuzzFormat.argv(args)
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            s += "\n  file \(path): \(FuzzFormat.literal(bytes, limit: limit))"
        }
        return s
    }

    /// The in-memory files of one run, under the working directory `/fuzz`.
    static func memoryFiles(_ corpus: FuzzCorpus, rng: inout SplitMix64) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        func maybeMutated(_ doc: SpecDocument) -> [UInt8] {
            rng.chance(0.5) ? doc.bytes : corpus.mutated(doc, rng: &rng)
        }
        for i in 0..<(1 + rng.below(2)) {
            files["/fuzz/specs/chip\(i).json"] = maybeMutated(rng.pick(corpus.chips))
        }
        files["/fuzz/specs/readme.txt"] = Array("not a spec".utf8)
        files["/fuzz/model.json"] = maybeMutated(rng.pick(corpus.models))
        files["/fuzz/cases.json"] = maybeMutated(rng.pick(corpus.cases))
        files["/fuzz/empty.json"] = []
        files["/fuzz/sub/x.json/inner.json"] = Array("{}".utf8)
        return files
    }

    // MARK: Argument vectors

    /// Literal words and the example value after each option in a usage line.
    static func usageHints(_ usage: String) -> (literals: [String], examples: [String: String], placeholders: [String]) {
        let tokens = usage.split(whereSeparator: { $0 == " " || $0 == "[" || $0 == "]" || $0 == "|" }).map(String.init)
        var literals: [String] = [], placeholders: [String] = []
        var examples: [String: String] = [:]
        for (i, t) in tokens.enumerated().dropFirst() {
            if t.hasPrefix("--") {
                if i + 1 < tokens.count, !tokens[i + 1].hasPrefix("-") { examples[t] = tokens[i + 1] }
                continue
            }
            if i > 0, tokens[i - 1].hasPrefix("--") { continue }
            if t == "..." || t.hasPrefix("-") { continue }
            if t.allSatisfy({ $0.isLowercase || $0 == "-" }) { literals.append(t) } else if t.allSatisfy({ $0.isUppercase }) { placeholders.append(t) }
        }
        return (literals, examples, placeholders)
    }

    static func value(for option: OptionSpec, example: String?, _ w: World, rng: inout SplitMix64) -> String {
        let name = option.name.lowercased()
        let kind = (option.valueName ?? "").uppercased()
        if rng.chance(0.12) { return rng.pick(numbers) }
        if name == "--format" { return rng.pick(["table", "json", "csv", "json", "xml", "JSON", ""]) }
        if name == "--specs" || kind == "DIR" { return rng.pick(["specs", "/fuzz/specs", "specs/", "missing", "model.json", "sub", "."]) }
        if name.contains("model") { return rng.pick(w.modelIDs + ["model.json", "/fuzz/model.json", "missing.json", "cases.json", "llama3-8", "sub/x.json", "specs"]) }
        if name.contains("case") { return rng.pick(["cases.json", "/fuzz/cases.json", "model.json", "missing.json", "empty.json", "specs"]) }
        if name.contains("html") { return rng.pick(["out.html", "/fuzz/out.html", "sub/o.html", "specs"]) }
        if name.contains("svg") || name.contains("out") || name.contains("plot") { return rng.pick(["out.svg", "/fuzz/out.svg", "sub/o.svg", "specs"]) }
        if kind.contains("FILE") { return rng.pick(["model.json", "cases.json", "missing.json", "empty.json", "specs/chip0.json"]) }
        if name.contains("precision") || kind.contains("FORMAT") {
            return rng.pick(NumberFormat.allCases.map(\.rawValue) + ["e4m3", "half", "fp12", "BF16", ""])
        }
        if (name.contains("chip") && kind.contains("ID")) || name == "--from" || kind == "CHIP" || name == "--explain" {
            return rng.pick(w.chipIDs + ["h100", "H100-SXM5-80GB", "nonexistent", "TRN-SEED-01"])
        }
        if kind.contains("=") {
            let key = rng.pick(w.specKeys + ["bogus.key", "memory", ""])
            let vals = (0..<(1 + rng.below(3))).map { _ in rng.pick(numbers) }
            return key + "=" + vals.joined(separator: ",")
        }
        if let example, example.contains(":") {
            let prefix = String(example.prefix(while: { $0 != ":" }))
            let fields = (0..<rng.below(7)).map { _ in rng.chance(0.7) ? String(1 << rng.below(16)) : rng.pick(numbers) }
            return rng.pick([prefix, prefix, "attention", "gemm", "conv2d", "elementwise", "bogus"]) + ":" + fields.joined(separator: ",")
        }
        if let example, rng.chance(0.5) { return example }
        if kind == "N" || kind.hasSuffix("S") || kind.count <= 2 {
            return rng.chance(0.6) ? rng.pick(["1", "2", "4", "8", "16", "64", "256", "1024", "2048", "4096"]) : rng.pick(numbers)
        }
        return rng.pick(numbers + w.chipIDs + w.modelIDs + ["x"])
    }

    static func positional(_ placeholders: [String], _ literals: [String], _ w: World, rng: inout SplitMix64) -> String {
        if !literals.isEmpty, rng.chance(0.3) { return rng.pick(literals) }
        if placeholders.contains("VENDOR"), rng.chance(0.6) {
            return rng.pick(w.vendors + ["NVIDIA", "nvidiaa", "acme", ""])
        }
        return rng.pick(w.chipIDs + w.chipIDs + w.modelIDs + ["h100", "nonexistent", "", "-", "--"])
    }

    /// A plausible invocation built from the command's declared options and usage line.
    package static func generate(_ cmd: CommandInfo, _ w: World, rng: inout SplitMix64) -> [String] {
        let hints = usageHints(cmd.usage)
        var args = [cmd.name]
        for _ in 0..<rng.below(min(cmd.maxPositionals, 3) + 1) {
            args.append(positional(hints.placeholders, hints.literals, w, rng: &rng))
        }
        for option in cmd.options + commonOptions where option.name != "--help" && rng.chance(0.45) {
            if option.valueName == nil {
                args.append(option.name)
            } else {
                for _ in 0..<(option.repeatable ? 1 + rng.below(2) : 1) {
                    args += [option.name, value(for: option, example: hints.examples[option.name], w, rng: &rng)]
                }
            }
        }
        return args
    }

    static func mutate(_ args: [String], _ cmd: CommandInfo, _ w: World, rng: inout SplitMix64) -> [String] {
        var a = args
        let i = a.count > 1 ? 1 + rng.below(a.count - 1) : 0
        let options = cmd.options + commonOptions
        switch rng.below(12) {
        case 0: if a.count > 1 { a.remove(at: i) }
        case 1: if !a.isEmpty { a.insert(a[i], at: i) }
        case 2: if a.count > 2 { a.swapAt(i, 1 + rng.below(a.count - 1)) }
        case 3: a.insert(rng.pick(unknownFlags), at: a.isEmpty ? 0 : 1 + rng.below(a.count))
        case 4:
            // An option at the end with its value missing.
            if let o = rng.pickIfAny(options.filter { $0.valueName != nil }) { a.append(o.name) }
        case 5:
            // A value replaced by an absurd one.
            let values = a.indices.dropFirst().filter { !a[$0].hasPrefix("--") }
            if let j = rng.pickIfAny(Array(values)) { a[j] = rng.pick(numbers) }
        case 6:
            // `--opt value` -> `--opt=value` or `--opt=`.
            if let j = rng.pickIfAny(a.indices.filter { a[$0].hasPrefix("--") && $0 + 1 < a.count }) {
                let joined = a[j] + "=" + (rng.bool() ? a[j + 1] : "")
                a.replaceSubrange(j...(j + 1), with: [joined])
            }
        case 7:
            // A character inserted, deleted or replaced in one token.
            if !a.isEmpty {
                var scalars = Array(a[i].unicodeScalars)
                let ch = rng.pick(["\n", "\u{0}", "é", "=", "-", "1", " ", "\u{7F}", ","] as [Unicode.Scalar])
                switch rng.below(3) {
                case 0: scalars.insert(ch, at: rng.below(scalars.count + 1))
                case 1: if !scalars.isEmpty { scalars.remove(at: rng.below(scalars.count)) }
                default: if !scalars.isEmpty { scalars[rng.below(scalars.count)] = ch }
                }
                var s = ""
                s.unicodeScalars.append(contentsOf: scalars)
                a[i] = s
            }
        case 8: a = Array(a.prefix(1 + rng.below(max(1, a.count))))
        case 9:
            if let o = rng.pickIfAny(options.filter { $0.name != "--help" }) {
                a.append(o.name)
                if o.valueName != nil { a.append(value(for: o, example: nil, w, rng: &rng)) }
            }
        case 10:
            // Chip counts and sizes at the extremes.
            if let j = rng.pickIfAny(a.indices.filter { a[$0].hasPrefix("--") && $0 + 1 < a.count }) {
                a[j + 1] = rng.pick(["0", "-1", "1000000000000", "1e12", "9223372036854775807", "1e400", "3", "0.5"])
            }
        default:
            if rng.chance(0.2) { a.append(rng.pick(["--help", "-h"])) } else { a.append(rng.pick(w.chipIDs)) }
        }
        return a
    }

    // MARK: Checks

    /// Runs `args` in-process over `files` and checks the outcome.
    /// Failure messages name the command (the fuzz summary counts failures by kind).
    public static func check(_ args: [String], files: [String: [UInt8]]) -> FuzzOutcome {
        let outcome = checkRun(args, files: files)
        if case let .failed(message) = outcome, let command = args.first, ChipModelCLI.commands.contains(where: { $0.name == command }) {
            return .failed("\(command): \(message)")
        }
        return outcome
    }

    static func checkRun(_ args: [String], files: [String: [UInt8]]) -> FuzzOutcome {
        let context = CommandContext(environment: [:], currentDirectory: "/fuzz", memoryFiles: files)
        let code = ChipModelCLI.run(args, context: context)
        let out = context.stdout, err = context.stderr
        guard allowedExitCodes.contains(code) else { return .failed("exit code \(code)") }
        let errLines = err.isEmpty ? [] : err.split(separator: "\n", omittingEmptySubsequences: false).dropLast(err.hasSuffix("\n") ? 1 : 0)
        for line in errLines where !stderrPrefixes.contains(where: { line.hasPrefix($0) }) {
            return .failed("stderr line is not a one-line diagnostic: \(String(line.prefix(200)).debugDescription)")
        }
        if code != 0 && !err.contains("error: ") { return .failed("exit \(code) without an error line") }
        if code == 64 && !err.contains("usage: chipmodel") { return .failed("usage error without the usage line: \(err.prefix(300))") }
        if (64...66).contains(code) && !out.isEmpty { return .failed("exit \(code) after writing to stdout (half-done)") }
        let tainted = taint(args, files)
        if let bad = nonFiniteWord(in: out, excusedBy: tainted) { return .failed("stdout shows '\(bad)' as a number") }
        if code == 0, !out.isEmpty, formatRequested(args) == "json", !args.contains("--help"), !args.contains("-h") {
            if (try? JSONValue.parse(out)) == nil { return .failed("--format json output does not parse") }
        }
        for (path, bytes) in context.memoryFiles ?? [:] where files[path] != bytes {
            let text = String(decoding: bytes, as: UTF8.self)
            if let bad = nonFiniteWord(in: text, excusedBy: tainted) { return .failed("written file \(path) shows '\(bad)'") }
            if path.hasSuffix(".json"), (try? JSONValue.parse(bytes)) == nil { return .failed("written JSON \(path) does not parse") }
        }
        return code == 0 ? .accepted : .rejected
    }

    static func formatRequested(_ args: [String]) -> String? {
        var format: String?
        for (i, a) in args.enumerated() {
            if a == "--format", i + 1 < args.count { format = args[i + 1] }
            if a.hasPrefix("--format=") { format = String(a.dropFirst("--format=".count)) }
            if a == "--" { break }
        }
        return format
    }

    /// Lower-cased text of everything the user supplied: a word in the output that also
    /// occurs there may be an echo (a chip named "Infinity"), not a computed number.
    package static func taint(_ args: [String], _ files: [String: [UInt8]]) -> String {
        (args + files.values.map { String(decoding: $0, as: UTF8.self) }).joined(separator: "\u{1}").lowercased()
    }

    /// The first `nan`, `inf`, `infinity` word (any case, also `-nan`, `+inf`) in `text` not
    /// excused by the user's input.
    public static func nonFiniteWord(in text: String, excusedBy tainted: String = "") -> String? {
        var text = text
        if text.range(of: "infinity", options: .caseInsensitive) != nil {
            for name in productNames { text = text.replacingOccurrences(of: name, with: "", options: .caseInsensitive) }
        }
        var word = ""
        func bad(_ w: String) -> Bool {
            let l = w.lowercased()
            return (l == "nan" || l == "inf" || l == "infinity") && !tainted.contains(l)
        }
        for ch in text {
            if ch.isLetter { word.append(ch); continue }
            if bad(word) { return word }
            word = ""
        }
        return bad(word) ? word : nil
    }
}
