import ChipModelKit
import Foundation

// chipmodel's seeded mutation fuzzer (issue 9). No packages: a SplitMix64 generator
// (`SplitMix64`), mutators for JSON trees, JSON text tokens and raw bytes, a corpus of real seed
// documents (the embedded chip and model specs plus case files), the library targets
// (`KitFuzzTargets`) and a driver (`Fuzzer`) that runs any list of targets. The CLI adds its
// argument-vector target (`CLIFuzzTargets` in ChipModelCLI) and the `chipmodel-fuzz` tool
// command; `swift test` runs a quick pass (`FuzzTests`).
//
// Detection: a Swift trap kills the process, so any input that traps is found by the run
// dying (the `fuzz` command prints the index of the input it died on). Every other input must
// end in a result that passes the target's checks or in a clean error: one line per problem
// naming the file (and key path), never NaN or infinity in a result.

/// Interesting values for mutations.
public enum FuzzValues {
    /// Numbers at and around every limit the loaders check (1e18, 1e-30, Int32, 2^53, 2^63).
    public static let numbers: [Double] = [
        0, -0.0, 1, -1, 0.5, 2, 3.5, 7, 8, 64, 65, 4096, 1e308, -1e308, 1e-308, Double.leastNonzeroMagnitude,
        1.797_693_134_862_315_7e308, 1e18, 1.000_000_1e18, 1e19, 1e-30, 1e-31, 9_007_199_254_740_992,
        9.223_372_036_854_775_807e18, 1.8446744073709552e19, 2_147_483_647, 2_147_483_648, 4_294_967_296,
        16_777_216, 16_777_217, 1e12, -1e12, 2026, 1989, 2101, 0.1, 1e-9,
    ]
    /// Number tokens spliced into JSON text as written (not all of them JSON).
    public static let rawNumbers: [String] = [
        "-0", "-0.0", "0e0", "1e400", "-1e400", "1e-400", "NaN", "-NaN", "Infinity", "-Infinity", "inf",
        "nan", "01", "1.", ".5", "+1", "1e", "1e+", "0x10", "1E308", "4.9e-324", "2.2250738585072014e-308",
        "123456789012345678901234567890", "9223372036854775808", "-9223372036854775809", "1_000", "\u{FF11}",
        "1e18", "1e19", "0.000000000000000000000000000001", "-", "--1", "1e-07", "18446744073709551616",
    ]
    public static let strings: [String] = [
        "", " ", "NaN", "Infinity", "-Infinity", "nan", "inf", "null", "true", "0", "1e308", "-1", "x",
        "\n", "a\nb", "\r", "\u{0}", "\t", "\u{7F}", "é", "😀", "\u{202E}rtl", "vendor-official", "press/analyst",
        "estimated", "shipping", "announced", "roadmap", "bidirectional", "perDirection", "gpt", "llama", "moe",
        "bert", "resnet", "mla", "gqa", "mha", "ds", "wp", "h100-sxm5-80gb", "a100-sxm4-80gb", "../x", "%s%n",
        "\\", "\"", "Z", "-a", String(repeating: "x", count: 300), String(repeating: "é", count: 70),
    ]
    /// Keys the loaders know (renamed, duplicated and added by the mutators).
    public static let keys: [String] = [
        "id", "name", "vendor", "family", "status", "segment", "year", "formFactors", "notes", "sources", "title", "url",
        "value", "low", "high", "source", "confidence", "note", "dies", "computeDies", "ioDies", "processNode",
        "computeDieAreaMm2", "transistorsBillion", "onChip", "sramMB", "l2CacheMB", "bandwidthGBps", "memory",
        "type", "stacks", "capacityGB", "d2d", "direction", "latencyNs", "scaleUp", "links", "domainSize",
        "maxDomainSize", "latencyUs", "scaleOut", "nicBandwidthGBps", "tdpW", "bf16DenseTflops", "fp8DenseTflops",
        "fp16SparseTflops", "int8DenseTops", "fp32MatrixDenseTflops", "architecture", "layers", "hidden", "heads",
        "kvHeads", "ffnHidden", "vocab", "gatedMlp", "experts", "expertsPerToken", "expertFfnHidden",
        "sharedExperts", "denseLayers", "headDim", "attention", "kvLoraRank", "qLoraRank", "ropeHeadDim",
        "tiedEmbeddings", "resnetBlocks", "imageSize", "system", "chip", "count", "scaleUpDomain", "workload",
        "kind", "model", "precision", "sequenceLength", "globalBatch", "plan", "tp", "pp", "dp", "cp", "ep",
        "microBatch", "measured", "metric", "weight", "scenario", "inputTokens", "outputTokens", "batch",
        "latency", "ttftMs", "tpotMs", "", "ID", "Value",
    ]
    /// Byte snippets inserted by the byte mutator: invalid UTF-8, BOM, escapes, structure.
    public static let byteSnippets: [[UInt8]] = [
        [0xFF], [0xFE], [0x80], [0xC0, 0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xEF, 0xBB, 0xBF],
        [0xF0, 0x9F, 0x98], [0x00], [0x1B],
    ] + ["\\u", "\\uD800", "\\uDC00\\uD800", "\\u0000", "\\x", "\"", "{", "}", "[", "]", ",", ":", "\n", "\\",
         "NaN", "Infinity", "-", "1e999", "null", "/*", "//", "\r\n", "{\"a\":1,\"a\":2}", "[[[[[[[[", "}}}}",
         "\u{2028}", "tru", "nul"].map { Array($0.utf8) }
}

/// Structural mutations of a JSON tree: one node is picked uniformly and changed.
public enum JSONMutator {
    public struct Limits: Sendable {
        /// The longest array the "enormous array" mutation builds.
        public var maxArrayLength: Int
        /// The deepest nesting the "deep nesting" mutation builds.
        public var maxNesting: Int
        public init(maxArrayLength: Int = 2_000, maxNesting: Int = 200) {
            self.maxArrayLength = maxArrayLength
            self.maxNesting = maxNesting
        }
    }

    public static func mutate(_ value: JSONValue, rng: inout SplitMix64, limits: Limits = Limits()) -> JSONValue {
        let target = rng.below(nodeCount(value))
        var counter = 0
        return transform(value, target: target, counter: &counter, rng: &rng, limits: limits)
    }

    public static func nodeCount(_ v: JSONValue) -> Int {
        switch v {
        case let .array(items): return items.reduce(1) { $0 + nodeCount($1) }
        case let .object(members): return members.reduce(1) { $0 + nodeCount($1.1) }
        default: return 1
        }
    }

    static func transform(_ v: JSONValue, target: Int, counter: inout Int, rng: inout SplitMix64, limits: Limits) -> JSONValue {
        let me = counter
        counter += 1
        if me == target { return mutateNode(v, rng: &rng, limits: limits) }
        if target < me { return v }
        switch v {
        case var .array(items):
            for i in items.indices {
                if counter > target { break }
                items[i] = transform(items[i], target: target, counter: &counter, rng: &rng, limits: limits)
            }
            return .array(items)
        case var .object(members):
            for i in members.indices {
                if counter > target { break }
                members[i].1 = transform(members[i].1, target: target, counter: &counter, rng: &rng, limits: limits)
            }
            return .object(members)
        default:
            return v
        }
    }

    static func randomScalar(_ rng: inout SplitMix64) -> JSONValue {
        switch rng.below(6) {
        case 0: return .null
        case 1: return .bool(rng.bool())
        case 2, 3: return .number(rng.pick(FuzzValues.numbers))
        default: return .string(rng.pick(FuzzValues.strings))
        }
    }

    static func mutateNode(_ v: JSONValue, rng: inout SplitMix64, limits: Limits) -> JSONValue {
        // Half of the time a mutation specific to the node's type, else a generic one.
        if rng.bool() {
            switch v {
            case let .number(n): return mutateNumber(n, rng: &rng)
            case let .string(s): return .string(mutateString(s, rng: &rng))
            case let .array(items): return mutateArray(items, rng: &rng, limits: limits)
            case let .object(members): return mutateObject(members, rng: &rng, limits: limits)
            default: break
            }
        }
        switch rng.below(7) {
        case 0: return .number(rng.pick(FuzzValues.numbers))
        case 1: return .string(rng.pick(FuzzValues.strings))
        case 2: return randomScalar(&rng)
        case 3: return rng.bool() ? .array([]) : .object([])
        case 4: return rng.bool() ? .array([v]) : .object([("value", v)])
        case 5:
            // Deep nesting, around the parser's limit and far beyond it.
            let depth = rng.pick([2, 10, JSONValue.maximumDepth - 2, JSONValue.maximumDepth - 1, JSONValue.maximumDepth,
                                  JSONValue.maximumDepth + 1, limits.maxNesting])
            var out = v
            let asArray = rng.bool()
            for _ in 0..<min(depth, limits.maxNesting) { out = asArray ? .array([out]) : .object([("a", out)]) }
            return out
        default:
            if case let .number(n) = v { return .string(JSONValue.formatNumber(n)) }
            if case let .string(s) = v, let d = Double(s) { return .number(d.isFinite ? d : 0) }
            return randomScalar(&rng)
        }
    }

    static func mutateNumber(_ n: Double, rng: inout SplitMix64) -> JSONValue {
        switch rng.below(9) {
        case 0: return .number(-n)
        case 1: return .number(n * rng.uniform(0.1, 10))           // often still valid
        case 2: return .number(n * 2)
        case 3: return .number(n + 0.5)
        case 4: return .number(n.nextUp)
        case 5:
            let p = rng.int(-400...400)
            let scaled = n * pow(10, Double(p))
            return .number(scaled.isFinite ? scaled : 1.797_693_134_862_315_7e308)
        case 6: return .number(0)
        case 7: return .string(JSONValue.formatNumber(n))
        default: return .number(rng.pick(FuzzValues.numbers))
        }
    }

    static func mutateString(_ s: String, rng: inout SplitMix64) -> String {
        var scalars = Array(s.unicodeScalars)
        switch rng.below(7) {
        case 0: scalars = Array(scalars.prefix(rng.below(scalars.count + 1)))
        case 1: scalars.append(rng.pick(["x", "-", " ", "\n", "\u{0}", "é", "😀", "."] as [Unicode.Scalar]))
        case 2:
            if !scalars.isEmpty { scalars.remove(at: rng.below(scalars.count)) }
        case 3:
            if !scalars.isEmpty { scalars[rng.below(scalars.count)] = rng.pick(["A", "z", "0", "_", "\t", "\u{FFFD}"] as [Unicode.Scalar]) }
        case 4: return s.uppercased()
        case 5: return String(repeating: s.isEmpty ? "x" : s, count: rng.pick([2, 10, 100]))
        default: return rng.pick(FuzzValues.strings)
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    static func mutateArray(_ items: [JSONValue], rng: inout SplitMix64, limits: Limits) -> JSONValue {
        var items = items
        switch rng.below(7) {
        case 0: if !items.isEmpty { items.remove(at: rng.below(items.count)) }
        case 1: if !items.isEmpty { items.insert(items[rng.below(items.count)], at: rng.below(items.count + 1)) }
        case 2:
            // An enormous array.
            // (of a small element, so the document stays megabytes at most)
            let filler = items.first.flatMap { nodeCount($0) <= 3 ? $0 : nil } ?? randomScalar(&rng)
            let n = rng.pick([100, 1000, limits.maxArrayLength])
            items = Array(repeating: filler, count: max(1, min(n, limits.maxArrayLength)))
        case 3: items = []
        case 4:
            if items.count > 1 { items.swapAt(rng.below(items.count), rng.below(items.count)) }
        case 5: items.append(randomScalar(&rng))
        default: items = items.map { _ in randomScalar(&rng) }
        }
        return .array(items)
    }

    static func mutateObject(_ members: [(String, JSONValue)], rng: inout SplitMix64, limits: Limits) -> JSONValue {
        var members = members
        let i = rng.below(max(1, members.count))
        switch rng.below(9) {
        case 0: if !members.isEmpty { members.remove(at: i) }
        case 1: if !members.isEmpty { members.insert(members[i], at: rng.below(members.count + 1)) } // duplicate key
        case 2: if !members.isEmpty { members[i].0 = mutateString(members[i].0, rng: &rng) }        // typo'd key
        case 3:
            if members.count > 1 {
                let j = rng.below(members.count)
                let t = members[i].1
                members[i].1 = members[j].1
                members[j].1 = t
            }
        case 4: members.append((rng.pick(FuzzValues.keys), randomScalar(&rng)))
        case 5: members.append((rng.pick(FuzzValues.keys), .object([("value", .number(rng.pick(FuzzValues.numbers))),
                                                                    ("source", .string("ds")),
                                                                    ("confidence", .string("vendor-official"))])))
        case 6: members = []
        case 7: if !members.isEmpty { members[i].1 = .null }
        default:
            if members.count > 1 { members.swapAt(i, rng.below(members.count)) }
        }
        return .object(members)
    }
}

/// Mutations of JSON text: number tokens replaced as written, and raw byte edits.
public enum ByteMutator {
    /// Applies one random byte- or token-level mutation. `donors` supply spliced ranges.
    public static func mutate(_ input: [UInt8], rng: inout SplitMix64, donors: [[UInt8]] = []) -> [UInt8] {
        var b = input
        switch rng.below(11) {
        case 0, 1:
            return replaceNumberToken(b, rng: &rng)
        case 2:
            if !b.isEmpty { b[rng.below(b.count)] ^= UInt8(1) << UInt8(rng.below(8)) }
        case 3:
            if !b.isEmpty { b[rng.below(b.count)] = rng.pick([0x00, 0x22, 0x5C, 0x7F, 0x80, 0xC0, 0xFF, 0x2C, 0x7D, 0x5D]) }
        case 4, 5:
            b.insert(contentsOf: rng.pick(FuzzValues.byteSnippets), at: rng.below(b.count + 1))
        case 6:
            if !b.isEmpty {
                let start = rng.below(b.count)
                let len = min(b.count - start, 1 + rng.below(32))
                b.removeSubrange(start..<start + len)
            }
        case 7:
            if !b.isEmpty {
                let start = rng.below(b.count)
                let len = min(b.count - start, 1 + rng.below(64))
                b.insert(contentsOf: b[start..<start + len], at: rng.below(b.count + 1))
            }
        case 8:
            b = Array(b.prefix(rng.below(b.count + 1)))                // truncation
        case 9:
            if let donor = rng.pickIfAny(donors), !donor.isEmpty {
                let start = rng.below(donor.count)
                let len = min(donor.count - start, 1 + rng.below(128))
                b.insert(contentsOf: donor[start..<start + len], at: rng.below(b.count + 1))
            }
        default:
            return replaceStringToken(b, rng: &rng)
        }
        return b
    }

    /// Spans of number tokens outside strings (approximate lexing is enough for mutation).
    static func tokenSpans(_ b: [UInt8]) -> (numbers: [Range<Int>], strings: [Range<Int>]) {
        var numbers: [Range<Int>] = [], strings: [Range<Int>] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let start = i
                i += 1
                while i < b.count, b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i = min(i + 1, b.count)
                strings.append(start..<i)
            } else if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
                let start = i
                while i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: ".")
                    || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") || (b[i] >= 0x30 && b[i] <= 0x39) { i += 1 }
                numbers.append(start..<i)
            } else {
                i += 1
            }
        }
        return (numbers, strings)
    }

    /// Replaces a number token with a raw spelling (`-0`, `1e400`, `NaN`, `01`, ...).
    public static func replaceNumberToken(_ b: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        let spans = tokenSpans(b).numbers
        guard let span = rng.pickIfAny(spans) else { return b }
        var out = b
        out.replaceSubrange(span, with: Array(rng.pick(FuzzValues.rawNumbers).utf8))
        return out
    }

    /// Replaces a string token (a key or a value) with another quoted string or a bare word.
    public static func replaceStringToken(_ b: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        let spans = tokenSpans(b).strings
        guard let span = rng.pickIfAny(spans) else { return b }
        var out = b
        let replacement: String
        switch rng.below(4) {
        case 0: replacement = rng.pick(["NaN", "Infinity", "-Infinity", "true", "null", "1e308", "\"\"", "'x'"])
        case 1: replacement = JSONValue.quote(rng.pick(FuzzValues.keys))
        default: replacement = JSONValue.quote(rng.pick(FuzzValues.strings))
        }
        out.replaceSubrange(span, with: Array(replacement.utf8))
        return out
    }
}

/// Seed documents for the fuzzer: real files, mutated into inputs.
public struct FuzzCorpus: Sendable {
    public var chips: [SpecDocument]
    public var models: [SpecDocument]
    /// Measurement case files (Benchmarks/CASES.md format).
    public var cases: [SpecDocument]
    public var limits: JSONMutator.Limits
    /// How many characters of an input a failure report shows (`chipmodel-fuzz --show`: all).
    public var describeLimit = 2_000
    /// Parsed seed documents by file name (parsed once, not per input).
    private var trees: [String: JSONValue] = [:]

    public init(chips: [SpecDocument], models: [SpecDocument], cases: [SpecDocument], limits: JSONMutator.Limits = .init()) {
        self.chips = chips
        self.models = models
        self.cases = cases
        self.limits = limits
        indexTrees()
    }

    /// Re-parses the seeds; call after adding documents to `chips`, `models` or `cases`.
    public mutating func indexTrees() {
        trees = [:]
        for doc in chips + models + cases { trees[doc.file] = try? JSONValue.parse(doc.bytes) }
    }

    /// The embedded chip and model specs, a small case file, and any `extraCases`.
    public static func builtIn(extraCases: [SpecDocument] = [], limits: JSONMutator.Limits = .init()) -> FuzzCorpus {
        FuzzCorpus(chips: EmbeddedSpecs.chips, models: EmbeddedSpecs.models, cases: [seedCases] + extraCases, limits: limits)
    }

    public var all: [SpecDocument] { chips + models + cases }

    /// A small case file in the Benchmarks/CASES.md format (one training, one inference case).
    public static let seedCases = SpecDocument(file: "fuzz-seed-cases.json", text: #"""
    [
      {
        "id": "TRN-SEED-01",
        "source": "fuzz seed (shape of Korthikanti et al. 2022, Table 5)",
        "weight": 1.0,
        "system": { "chip": "a100-sxm4-80gb", "count": 64, "scaleUpDomain": 8 },
        "workload": { "kind": "training", "model": "gpt3-175b", "precision": "fp16", "sequenceLength": 2048, "globalBatch": 64 },
        "plan": { "tp": 8, "pp": 8, "dp": 1, "cp": 1, "ep": 1, "microBatch": 1, "virtualStages": 1,
                  "sequenceParallel": true, "recompute": "selective", "zeroStage": 1 },
        "measured": { "metric": "stepTimeSeconds", "value": 13.75 }
      },
      {
        "id": "TRN-SEED-02",
        "source": "fuzz seed (inline model)",
        "weight": 1,
        "system": { "chip": "h100-sxm5-80gb", "count": 32 },
        "workload": { "kind": "training",
                      "model": { "name": "GPT 1.7B", "architecture": "gpt", "layers": 24, "hidden": 2304, "heads": 24,
                                 "kvHeads": 24, "ffnHidden": 9216, "vocab": 51200, "gatedMlp": false },
                      "precision": "bf16", "sequenceLength": 2048, "globalBatch": 512 },
        "plan": { "tp": 1, "pp": 1, "dp": 32, "sequenceParallel": false, "recompute": "full" },
        "measured": { "metric": "stepTimeSeconds", "value": 3.528 }
      },
      {
        "id": "INF-SEED-01",
        "source": "fuzz seed (inference)",
        "weight": 1,
        "system": { "chip": "h100-sxm5-80gb", "count": 8 },
        "workload": { "kind": "inference", "model": "llama2-70b", "precision": "fp8", "scenario": "server",
                      "inputTokens": 2048, "outputTokens": 128, "latency": { "ttftMs": 2000, "tpotMs": 200 } },
        "plan": { "tp": 8, "pp": 1, "ep": 1, "replicas": 1 },
        "measured": { "metric": "tokensPerSecond", "value": 20000 }
      }
    ]
    """#)

    /// A mutated copy of `seed`: sometimes unchanged (so loads also succeed), usually 1-3
    /// structural JSON mutations, sometimes followed by byte/token mutations.
    public func mutated(_ seed: SpecDocument, rng: inout SplitMix64) -> [UInt8] {
        if rng.chance(0.08) { return seed.bytes }
        var bytes = seed.bytes
        if rng.chance(0.85), let tree = trees[seed.file] ?? (try? JSONValue.parse(seed.bytes)) {
            var t = tree
            for _ in 0..<(1 + rng.below(3)) { t = JSONMutator.mutate(t, rng: &rng, limits: limits) }
            bytes = Array(t.serialized(pretty: rng.bool()).utf8)
        }
        if rng.chance(0.35) || bytes == seed.bytes {
            let donors = [rng.pick(all).bytes]
            for _ in 0..<(1 + rng.below(3)) { bytes = ByteMutator.mutate(bytes, rng: &rng, donors: donors) }
        }
        return bytes
    }
}
