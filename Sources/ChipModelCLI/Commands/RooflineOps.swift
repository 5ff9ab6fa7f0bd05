import ChipModelKit

/// One `--op` argument, parsed: the operation, an optional die split, and the text it came from.
public struct RooflineOpSpec: Sendable, Equatable {
    public var operation: RooflineOperation
    public var split: DieSplit
    public var text: String
}

/// The `--op` grammar: `KIND:V1,V2,...[@SPLIT]`.
public enum RooflineOpGrammar {
    /// Kind, its value names (optional ones last, in brackets), and a one-line description.
    public static let kinds: [(kind: String, values: String, help: String)] = [
        ("gemm", "M,N,K", "(M x K) @ (K x N) matrix product"),
        ("bgemm", "B,M,N,K", "B independent GEMMs (batched)"),
        ("gemv", "N,K", "decode-shaped GEMM with M = 1"),
        ("attention", "B,H,KVH,SQ,SK,D[,causal]", "fused (FlashAttention) attention; H query heads, KVH key/value heads"),
        ("attention-unfused", "B,H,KVH,SQ,SK,D[,causal]", "unfused attention (scores through HBM)"),
        ("elementwise", "BYTES", "element-wise op moving BYTES in total (1e9, 512M, 2G, 1GiB)"),
        ("layernorm", "TOKENS,HIDDEN", "LayerNorm over a TOKENS x HIDDEN activation"),
        ("rmsnorm", "TOKENS,HIDDEN", "RMSNorm over a TOKENS x HIDDEN activation"),
        ("softmax", "ROWS,COLS", "row softmax over ROWS x COLS"),
        ("embedding", "TOKENS,HIDDEN", "embedding lookup of TOKENS rows of width HIDDEN"),
        ("conv2d", "B,CIN,COUT,H,W,K[,S]", "2-D convolution, input H x W, K x K kernel, stride S (default 1), 'same' padding"),
    ]

    public static let splits: [String: DieSplit] = [
        "auto": .auto, "m": .m, "n": .n, "k": .k, "batch": .batch, "heads": .n, "queries": .m,
    ]

    public static var helpText: String {
        var s = "OPERATIONS (--op KIND:VALUES[@SPLIT], repeatable):\n"
        let w = kinds.map { $0.kind.count + 1 + $0.values.count }.max() ?? 20
        for k in kinds {
            let l = "\(k.kind):\(k.values)"
            s += "  " + l + String(repeating: " ", count: max(2, w - l.count + 2)) + k.help + "\n"
        }
        s += """
          @SPLIT (multi-die chips): auto (fewest D2D bytes, default), m|queries, n|heads, k, batch
        Examples: --op gemm:8192,8192,8192  --op gemm:16384,256,16384@n
                  --op attention:8,64,8,4096,4096,128,causal  --op layernorm:4096,8192
        """
        return s
    }

    /// Largest accepted dimension: 2^40 (every product is formed in Double, so this only
    /// keeps results meaningful; nothing can overflow).
    public static let maxDimension = 1 << 40

    public static func parse(_ text: String) throws(UsageError) -> RooflineOpSpec {
        func fail(_ msg: String) -> UsageError { UsageError("--op '\(text)': \(msg)") }
        var body = Substring(text)
        var split = DieSplit.auto
        if let at = body.lastIndex(of: "@") {
            let s = String(body[body.index(after: at)...]).lowercased()
            guard let d = splits[s] else {
                throw fail("unknown split '\(s)'; expected one of: auto, m, n, k, batch, heads, queries")
            }
            split = d
            body = body[..<at]
        }
        guard let colon = body.firstIndex(of: ":") else {
            throw fail("expected KIND:VALUES, e.g. gemm:8192,8192,8192; kinds: \(kinds.map(\.kind).joined(separator: ", "))")
        }
        let kind = body[..<colon].lowercased()
        let values = body[body.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let entry = kinds.first(where: { $0.kind == kind }) else {
            var msg = "unknown operation kind '\(kind)'"
            let near = nearestNames(to: kind, in: kinds.map(\.kind), limit: 3)
            if let best = near.min(by: { editDistance(kind, $0) < editDistance(kind, $1) }) { msg += " (did you mean '\(best)'?)" }
            throw fail(msg + "; kinds: \(kinds.map(\.kind).joined(separator: ", "))")
        }
        let names = entry.values.replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "")
            .split(separator: ",").map(String.init)
        let required = entry.values.split(separator: "[").first.map { $0.split(separator: ",").count } ?? names.count
        guard values.count >= required && values.count <= names.count else {
            let count = required == names.count ? "\(required)" : "\(required) to \(names.count)"
            throw fail("\(kind) expects \(entry.values) (\(count) values), got \(values.count)")
        }
        func int(_ i: Int) throws(UsageError) -> Int {
            let v = values[i], name = names[i]
            guard let n = Int(v.replacingOccurrences(of: "_", with: "")) else {
                throw fail("\(name) '\(v)' is not a whole number")
            }
            guard n >= 1 && n <= maxDimension else { throw fail("\(name) '\(v)' must be in 1...\(maxDimension)") }
            return n
        }
        func causalFlag(_ i: Int) throws(UsageError) -> Bool {
            guard i < values.count else { return false }
            switch values[i].lowercased() {
            case "causal", "1", "true": return true
            case "noncausal", "full", "0", "false": return false
            default: throw fail("'\(values[i])' must be 'causal' or 'noncausal'")
            }
        }
        let op: RooflineOperation
        switch kind {
        case "gemm": op = .gemm(m: try int(0), n: try int(1), k: try int(2))
        case "bgemm": op = .gemm(m: try int(1), n: try int(2), k: try int(3), batch: try int(0))
        case "gemv": op = .gemm(m: 1, n: try int(0), k: try int(1))
        case "attention", "attention-unfused":
            let b = try int(0), h = try int(1), kv = try int(2), sq = try int(3), sk = try int(4), d = try int(5)
            let c = try causalFlag(6)
            op = kind == "attention"
                ? .attention(batch: b, heads: h, kvHeads: kv, queryLength: sq, keyLength: sk, headDim: d, causal: c)
                : .unfusedAttention(batch: b, heads: h, kvHeads: kv, queryLength: sq, keyLength: sk, headDim: d, causal: c)
        case "elementwise": op = .elementwise(bytes: try bytes(values[0], fail))
        case "layernorm": op = .rowwise(kind: .layernorm, tokens: try int(0), hidden: try int(1))
        case "rmsnorm": op = .rowwise(kind: .rmsnorm, tokens: try int(0), hidden: try int(1))
        case "softmax": op = .rowwise(kind: .softmax, tokens: try int(0), hidden: try int(1))
        case "embedding": op = .embedding(tokens: try int(0), hidden: try int(1))
        case "conv2d":
            let b = try int(0), ci = try int(1), co = try int(2), h = try int(3), w = try int(4), k = try int(5)
            let s = values.count > 6 ? try int(6) : 1
            // 'same' padding: output = ceil(input / stride).
            op = .conv2d(batch: b, inChannels: ci, outChannels: co, outHeight: (h + s - 1) / s, outWidth: (w + s - 1) / s,
                         kernel: k, stride: s)
        default: throw fail("unknown operation kind '\(kind)'")
        }
        if let problem = op.validationProblem { throw fail(problem) }
        return RooflineOpSpec(operation: op, split: split, text: text)
    }

    /// `1e9`, `1000000`, `512M`, `2G`, `1.5T`, `64KiB`, `1GiB` (k/M/G/T decimal, Ki/Mi/Gi/Ti binary; a trailing B is optional).
    static func bytes(_ v: String, _ fail: (String) -> UsageError) throws(UsageError) -> Double {
        var s = v.replacingOccurrences(of: "_", with: "")
        if s.hasSuffix("B") || s.hasSuffix("b") { s.removeLast() }
        var scale = 1.0
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
                                         ("k", 1e3), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
        for (u, f) in units where s.hasSuffix(u) {
            scale = f
            s.removeLast(u.count)
            break
        }
        guard let x = Double(s), x.isFinite, x > 0 else { throw fail("BYTES '\(v)' is not a positive number (e.g. 1e9, 512M, 1GiB)") }
        guard x * scale <= 1e18 else { throw fail("BYTES '\(v)' is larger than 1e18") }
        return x * scale
    }

    /// The operations shown when no `--op` is given: square and skinny GEMMs, decode GEMV,
    /// attention prefill and decode, LayerNorm (Llama-3-70B-like shapes: hidden 8192, 64 query
    /// heads, 8 KV heads, head dim 128).
    public static let defaults: [String] = [
        "gemm:8192,8192,8192",
        "gemm:4096,1024,8192",
        "gemm:32,8192,8192",
        "gemv:8192,8192",
        "attention:1,64,8,4096,4096,128,causal",
        "attention:32,64,8,1,4096,128",
        "layernorm:4096,8192",
        "conv2d:256,64,64,56,56,3",
    ]
}
