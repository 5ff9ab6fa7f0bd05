/// An operation the roofline evaluates. FLOPs count a multiply-add as 2 (the convention of
/// Narayanan et al. 2021 and every vendor peak); bytes count off-chip (HBM/DRAM) traffic.
public enum Operation: Sendable, Equatable {
    /// `batch` independent (M x K) @ (K x N) products.
    case gemm(m: Int, n: Int, k: Int, batch: Int = 1)
    /// Fused (FlashAttention-style) attention: scores never reach HBM.
    case attention(batch: Int, heads: Int, kvHeads: Int, queryLength: Int, keyLength: Int, headDim: Int, causal: Bool)
    /// Unfused attention: the score matrix (batch x heads x sq x sk) is written and read back.
    case unfusedAttention(batch: Int, heads: Int, kvHeads: Int, queryLength: Int, keyLength: Int, headDim: Int, causal: Bool)
    /// Element-wise, normalization or softmax over `bytes` of input read and written once each.
    case elementwise(bytes: Double)
    /// Embedding lookup: `tokens` rows of width `hidden` gathered.
    case embedding(tokens: Int, hidden: Int)
    /// 2-D convolution (NCHW, square kernel), as an implicit GEMM.
    case conv2d(batch: Int, inChannels: Int, outChannels: Int, outHeight: Int, outWidth: Int, kernel: Int, stride: Int)

    public var name: String {
        switch self {
        case let .gemm(m, n, k, b): return b == 1 ? "gemm \(m)x\(n)x\(k)" : "gemm \(b)x(\(m)x\(n)x\(k))"
        case let .attention(b, h, kv, sq, sk, d, c): return "attention b\(b) h\(h)/\(kv) q\(sq) k\(sk) d\(d)\(c ? " causal" : "")"
        case let .unfusedAttention(b, h, kv, sq, sk, d, c): return "attention-unfused b\(b) h\(h)/\(kv) q\(sq) k\(sk) d\(d)\(c ? " causal" : "")"
        case let .elementwise(bytes): return "elementwise \(formatQuantity(bytes / 1e6)) MB"
        case let .embedding(t, h): return "embedding \(t)x\(h)"
        case let .conv2d(b, ci, co, oh, ow, k, s): return "conv2d b\(b) \(ci)->\(co) \(oh)x\(ow) k\(k) s\(s)"
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
