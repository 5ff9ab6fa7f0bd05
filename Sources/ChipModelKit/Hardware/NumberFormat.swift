import Foundation

/// A number format a chip computes in. FP8 covers both E4M3 and E5M2 (every catalog chip runs
/// both at the same rate); their names are accepted as aliases.
public enum NumberFormat: String, Sendable, CaseIterable, Comparable {
    case fp64, fp32, tf32, bf16, fp16, fp8, fp6, fp4, int8, int4

    /// Storage size of one element in bytes (TF32 is stored as FP32; FP6 packs 4 in 3 bytes).
    public var bytesPerElement: Double {
        switch self {
        case .fp64: return 8
        case .fp32, .tf32: return 4
        case .bf16, .fp16: return 2
        case .fp8, .int8: return 1
        case .fp6: return 0.75
        case .fp4, .int4: return 0.5
        }
    }

    /// The spec-file key of the dense peak (`bf16DenseTflops`, `int8DenseTops`).
    public var denseKey: String { rawValue + (isInteger ? "DenseTops" : "DenseTflops") }
    /// The spec-file key of the sparse peak (2:4 structured sparsity).
    public var sparseKey: String { rawValue + (isInteger ? "SparseTops" : "SparseTflops") }

    public var isInteger: Bool { self == .int8 || self == .int4 }

    /// The next wider format, used when a chip lacks this one and the user asks for emulation.
    public var widerFormat: NumberFormat? {
        switch self {
        case .fp4: return .fp6
        case .fp6: return .fp8
        case .fp8: return .bf16
        case .int4: return .int8
        case .int8: return .fp16
        case .bf16, .fp16: return .tf32
        case .tf32: return .fp32
        case .fp32: return .fp64
        case .fp64: return nil
        }
    }

    /// Parses `bf16`, `BF16`, `fp8-e4m3`, `e5m2`, `float16`, `half`, ...
    public init?(name: String) {
        let n = name.lowercased().replacingOccurrences(of: "_", with: "-")
        switch n {
        case "fp64", "float64", "double": self = .fp64
        case "fp32", "float32", "float": self = .fp32
        case "tf32": self = .tf32
        case "bf16", "bfloat16": self = .bf16
        case "fp16", "float16", "half": self = .fp16
        case "fp8", "fp8-e4m3", "fp8-e5m2", "e4m3", "e5m2", "float8": self = .fp8
        case "fp6": self = .fp6
        case "fp4", "nvfp4", "mxfp4": self = .fp4
        case "int8": self = .int8
        case "int4": self = .int4
        default: return nil
        }
    }

    private var order: Int { NumberFormat.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: NumberFormat, b: NumberFormat) -> Bool { a.order < b.order }
}
