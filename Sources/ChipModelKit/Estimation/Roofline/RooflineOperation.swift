/// An operation the roofline evaluates. FLOPs count a multiply-add as 2 (the convention of
/// Narayanan et al. 2021 and every vendor peak); bytes count off-chip (HBM/DRAM) traffic.
///
/// Shapes are `Int` for readability, but every cost formula converts them to `Double` before
/// multiplying, so no shape can overflow; `validationProblem` rejects non-positive values.
public enum RooflineOperation: Sendable, Equatable {
    /// `batch` independent (M x K) @ (K x N) products.
    case gemm(m: Int, n: Int, k: Int, batch: Int = 1)
    /// Fused (FlashAttention-style) attention: scores never reach HBM.
    case attention(batch: Int, heads: Int, kvHeads: Int, queryLength: Int, keyLength: Int, headDim: Int, causal: Bool)
    /// Unfused attention: the score matrix (batch x heads x sq x sk) is written and read back.
    case unfusedAttention(batch: Int, heads: Int, kvHeads: Int, queryLength: Int, keyLength: Int, headDim: Int, causal: Bool)
    /// Element-wise work moving `bytes` off-chip in total (reads plus writes), one FLOP per
    /// element read.
    case elementwise(bytes: Double)
    /// A row-wise normalization or softmax over a `tokens x hidden` activation (read once,
    /// written once; see `RowwiseKind` for the FLOP convention).
    case rowwise(kind: RowwiseKind, tokens: Int, hidden: Int)
    /// Embedding lookup: `tokens` rows of width `hidden` gathered.
    case embedding(tokens: Int, hidden: Int)
    /// 2-D convolution (NCHW, square kernel), as an implicit GEMM. `outHeight`/`outWidth`
    /// are the output feature map; the input is `outHeight*stride x outWidth*stride`.
    case conv2d(batch: Int, inChannels: Int, outChannels: Int, outHeight: Int, outWidth: Int, kernel: Int, stride: Int)

    public var name: String {
        switch self {
        case let .gemm(m, n, k, b): return b == 1 ? "gemm \(m)x\(n)x\(k)" : "gemm \(b)x(\(m)x\(n)x\(k))"
        case let .attention(b, h, kv, sq, sk, d, c): return "attention b\(b) h\(h)/\(kv) q\(sq) k\(sk) d\(d)\(c ? " causal" : "")"
        case let .unfusedAttention(b, h, kv, sq, sk, d, c): return "attention-unfused b\(b) h\(h)/\(kv) q\(sq) k\(sk) d\(d)\(c ? " causal" : "")"
        case let .elementwise(bytes): return "elementwise \(formatQuantity(bytes / 1e6)) MB"
        case let .rowwise(kind, t, h): return "\(kind.rawValue) \(t)x\(h)"
        case let .embedding(t, h): return "embedding \(t)x\(h)"
        case let .conv2d(b, ci, co, oh, ow, k, s): return "conv2d b\(b) \(ci)->\(co) \(oh)x\(ow) k\(k) s\(s)"
        }
    }

    /// Why the shape is invalid (a dimension below 1, GQA heads not a multiple of KV heads,
    /// a causal query longer than its keys), or nil when it is valid.
    public var validationProblem: String? {
        func positive(_ pairs: [(String, Int)]) -> String? {
            for (n, v) in pairs where v < 1 { return "\(n) must be at least 1, got \(v)" }
            return nil
        }
        switch self {
        case let .gemm(m, n, k, b): return positive([("M", m), ("N", n), ("K", k), ("batch", b)])
        case let .attention(b, h, kv, sq, sk, d, c), let .unfusedAttention(b, h, kv, sq, sk, d, c):
            if let p = positive([("batch", b), ("heads", h), ("kv-heads", kv), ("query length", sq), ("key length", sk), ("head dim", d)]) { return p }
            if h % kv != 0 { return "heads (\(h)) must be a multiple of kv-heads (\(kv))" }
            if c && sq > sk { return "causal attention needs query length (\(sq)) <= key length (\(sk))" }
            return nil
        case let .elementwise(bytes): return bytes.isFinite && bytes > 0 ? nil : "bytes must be a positive finite number"
        case let .rowwise(_, t, h): return positive([("tokens", t), ("hidden", h)])
        case let .embedding(t, h): return positive([("tokens", t), ("hidden", h)])
        case let .conv2d(b, ci, co, oh, ow, k, s):
            return positive([("batch", b), ("in channels", ci), ("out channels", co), ("out height", oh), ("out width", ow), ("kernel", k), ("stride", s)])
        }
    }
}

/// Row-wise memory-bound kernels and their FLOP counts per element (our convention; these
/// kernels are bandwidth-bound on every catalog chip, so the count only sets the compute
/// ceiling they never reach): LayerNorm 8 (sum and sum of squares for mean and variance,
/// subtract, multiply by the reciprocal std, scale, shift), RMSNorm 5 (square, sum, multiply,
/// scale), softmax 5 (max, subtract, exp, sum, divide: the online-softmax passes of
/// Milakov & Gimelshein 2018).
public enum RowwiseKind: String, Sendable, CaseIterable {
    case layernorm, rmsnorm, softmax

    public var flopsPerElement: Double {
        switch self {
        case .layernorm: return 8
        case .rmsnorm: return 5
        case .softmax: return 5
        }
    }
}

/// What an operation costs before any chip is considered.
public struct OperationCost: Sendable, Equatable {
    public var flops: Double
    /// Off-chip bytes with no on-chip reuse beyond the compulsory traffic.
    public var compulsoryBytes: Double
    /// Off-chip bytes if nothing stayed on chip between tiles (the no-cache worst case for
    /// GEMM-like operations: every tile re-reads its operand panels).
    public var untiledBytes: Double
    /// Shape efficiency in (0, 1]: tile quantization of small or odd dimensions.
    public var shapeEfficiency: Double
    /// Bytes that cross the die-to-die link each way when the operation spans all dies.
    public var d2dBytesPerDirection: Double
    /// How the operation is split across dies (for explanations).
    public var split: String
    /// True for matrix-unit work; false for vector/memory work.
    public var usesMatrixUnits: Bool
}
