import Testing
@testable import ChipModelKit

@Suite struct RooflineTests {
    func device(_ id: String, _ format: NumberFormat = .bf16) throws -> RooflineDevice {
        try RooflineDevice(chip: ChipParameters(chip: ChipCatalog.builtIn().chip(id)), format: format)
    }

    @Test func bigSquareGemmOnA100IsComputeBound() throws {
        let d = try device("a100-sxm4-80gb")
        let r = Roofline.evaluate(.gemm(m: 8192, n: 8192, k: 8192), on: d)
        #expect(r.bound == .compute)
        #expect(r.flops == 1_099_511_627_776)  // 2 * 8192^3
        // 8192 is a multiple of the 128 tile: no quantization loss. 312 TFLOPS BF16 dense
        // x the family's matrix fraction (0.75 prior: 234 TFLOPS -> 4.6988 ms).
        let frac = Calibration.family("nvidia-ampere").matmulPeakFraction
        #expect(r.shapeEfficiency == 1)
        #expect(r.seconds == 1_099_511_627_776 / (312e12 * frac))
        if frac == 0.75 { #expect(abs(r.seconds - 4.698767640e-3) < 1e-11) }
        #expect(r.utilization == frac)
        // Off-chip traffic sits between compulsory (3 x 8192^2 x 2 B) and untiled.
        #expect(r.bytes > 3 * 8192.0 * 8192 * 2 && r.bytes < 2e9)
    }

    @Test func decodeGemvIsMemoryBound() throws {
        let d = try device("a100-sxm4-80gb")
        let r = Roofline.evaluate(.gemm(m: 1, n: 8192, k: 8192), on: d)
        #expect(r.bound == .memory)
        // Compulsory bytes: x (8192) + W (8192^2) in BF16 + y (8192) = 134,250,496 B.
        let compulsory = (8192.0 + 8192 * 8192) * 2 + 8192 * 2
        #expect(r.bytes >= compulsory && r.bytes < compulsory * 1.01)
        #expect(r.seconds == r.bytes / (2039e9 * d.calibration.memoryBandwidthFraction))
        #expect(r.intensity < 1.01)
    }

    @Test func br166OperandExchangeIsD2DBoundAt448GBpsEachWay() throws {
        let d = try device("br166")
        #expect(d.dies == 2)
        // 896 GB/s is bidirectional: 448 GB/s each way, times the family's D2D fraction.
        #expect(d.d2dBytesPerSecondPerDirection == 448e9 * d.calibration.d2dFraction)
        // Split along N: each die must fetch the half of A that lives on the other die.
        let op = RooflineOperation.gemm(m: 16384, n: 256, k: 16384)
        let r = Roofline.evaluate(op, on: d, split: .n)
        #expect(r.bound == .d2d)
        #expect(r.d2dBytesPerDirection == 0.5 * 16384 * 16384 * 2)
        #expect(r.seconds == 268_435_456 / (448e9 * d.calibration.d2dFraction))
        // The automatic split sends only half of B across instead and is not D2D-bound.
        let auto = Roofline.evaluate(op, on: d)
        #expect(auto.bound != .d2d)
        #expect(auto.split.contains("split m"))
        #expect(auto.d2dBytesPerDirection == 0.5 * 16384 * 256 * 2)
        // A monolithic chip has no D2D ceiling.
        #expect(Roofline.evaluate(op, on: try device("a100-sxm4-80gb"), split: .n).d2dSeconds == 0)
    }

    @Test func attentionSplitsByHeadsAcrossDies() throws {
        let d = try device("br166")
        let gqa = Roofline.evaluate(.attention(batch: 1, heads: 32, kvHeads: 8, queryLength: 4096, keyLength: 4096, headDim: 128, causal: true), on: d)
        #expect(gqa.d2dBytesPerDirection == 0)
        let mqa = Roofline.evaluate(.attention(batch: 1, heads: 32, kvHeads: 1, queryLength: 4096, keyLength: 4096, headDim: 128, causal: true), on: d)
        let kvBytes: Double = 2.0 * 4096 * 128 * 2
        #expect(mqa.d2dBytesPerDirection == 0.5 * kvBytes)
    }

    @Test func attentionFlopConventions() throws {
        let fused = Roofline.cost(.attention(batch: 2, heads: 16, kvHeads: 16, queryLength: 1024, keyLength: 1024, headDim: 64, causal: false), format: .bf16, dies: 1)
        let fusedFlops: Double = 4.0 * 2 * 16 * 1024 * 1024 * 64
        #expect(fused.flops == fusedFlops)
        // Causal: sq*sk - sq*(sq-1)/2 pairs (just over half for sq = sk).
        let causal = Roofline.cost(.attention(batch: 2, heads: 16, kvHeads: 16, queryLength: 1024, keyLength: 1024, headDim: 64, causal: true), format: .bf16, dies: 1)
        let pairs: Double = 1024.0 * 1024 - 1024.0 * 1023 / 2
        let causalFlops: Double = 4 * 2 * 16 * 64 * pairs
        #expect(causal.flops == causalFlops)
        // Decode: one query sees every key, causal or not.
        let decode = Roofline.cost(.attention(batch: 1, heads: 8, kvHeads: 8, queryLength: 1, keyLength: 4096, headDim: 128, causal: true), format: .bf16, dies: 1)
        let decodeFlops: Double = 4.0 * 8 * 128 * 4096
        #expect(decode.flops == decodeFlops)
        // Unfused: full matmuls and the score matrix through HBM four times.
        let unfused = Roofline.cost(.unfusedAttention(batch: 2, heads: 16, kvHeads: 16, queryLength: 1024, keyLength: 1024, headDim: 64, causal: true), format: .bf16, dies: 1)
        #expect(unfused.flops == fused.flops)
        let scoreBytes: Double = 4.0 * 2 * 16 * 1024 * 1024 * 2
        #expect(unfused.compulsoryBytes - fused.compulsoryBytes == scoreBytes)
    }

    @Test func otherOperations() throws {
        let d = try device("a100-sxm4-80gb")
        let ln = Roofline.evaluate(.rowwise(kind: .layernorm, tokens: 8192, hidden: 8192), on: d)
        #expect(ln.bound == .memory)
        #expect(ln.bytes == 2 * 8192 * 8192 * 2)
        #expect(ln.flops == 8 * 8192 * 8192)
        let ew = Roofline.evaluate(.elementwise(bytes: 1e9), on: d)
        #expect(ew.bytes == 1e9 && ew.bound == .memory)
        let emb = Roofline.evaluate(.embedding(tokens: 4096, hidden: 8192), on: d)
        #expect(emb.bytes == 2 * 4096 * 8192 * 2 && emb.bound == .memory)
        // ResNet-50 conv2_x 3x3: 64->64 channels at 56x56, batch 256.
        let conv = Roofline.cost(.conv2d(batch: 256, inChannels: 64, outChannels: 64, outHeight: 56, outWidth: 56, kernel: 3, stride: 1), format: .bf16, dies: 1)
        let convFlops: Double = 2.0 * 256 * 56 * 56 * 64 * 64 * 9
        #expect(conv.flops == convFlops)
        let input: Double = 256.0 * 64 * 56 * 56 * 2
        let filters: Double = 64.0 * 64 * 9 * 2
        let output: Double = 256.0 * 56 * 56 * 64 * 2
        #expect(conv.compulsoryBytes == input + filters + output)
        // Odd small dimensions lose to tile quantization.
        #expect(Roofline.tileQuantization(129) == 129.0 / 256)
        #expect(Roofline.tileQuantization(1) == 1.0 / 16)
        #expect(Roofline.tileQuantization(Int.max) > 0.99)
    }

    @Test func hugeShapesNeverTrap() throws {
        let d = try device("br166")
        let big = Int.max / 2
        for op in [RooflineOperation.gemm(m: big, n: big, k: big, batch: big),
                   .conv2d(batch: big, inChannels: big, outChannels: big, outHeight: big, outWidth: big, kernel: big, stride: big),
                   .attention(batch: big, heads: big, kvHeads: big, queryLength: big, keyLength: big, headDim: big, causal: true),
                   .embedding(tokens: big, hidden: big), .rowwise(kind: .softmax, tokens: big, hidden: big)] {
            let r = Roofline.evaluate(op, on: d)
            #expect(!r.seconds.isNaN)
        }
        #expect(RooflineOperation.gemm(m: 0, n: 1, k: 1).validationProblem == "M must be at least 1, got 0")
        #expect(RooflineOperation.attention(batch: 1, heads: 6, kvHeads: 4, queryLength: 1, keyLength: 1, headDim: 1, causal: false).validationProblem != nil)
    }

    @Test func missingFormatNamesTheAvailableOnes() throws {
        #expect(throws: UnsupportedFormatError.self) { try device("a100-sxm4-80gb", .fp8) }
        do {
            _ = try device("a100-sxm4-80gb", .fp8)
        } catch let e as UnsupportedFormatError {
            #expect(e.description.contains("bf16"))
            #expect(e.description.contains("--emulate"))
        }
        let emulated = try RooflineDevice(chip: ChipParameters(chip: ChipCatalog.builtIn().chip("a100-sxm4-80gb")), format: .fp8, emulate: true)
        #expect(emulated.computeFormat == .bf16)
        #expect(emulated.format == .fp8)
    }

    @Test func batchPathEqualsScalarEvaluate() throws {
        let devices = [try device("a100-sxm4-80gb"), try device("br166"), try device("h100-sxm5-80gb", .fp8)]
        let ops: [RooflineOperation] = [.gemm(m: 8192, n: 8192, k: 8192), .gemm(m: 1, n: 8192, k: 8192), .gemm(m: 16384, n: 256, k: 16384),
                                .attention(batch: 8, heads: 32, kvHeads: 8, queryLength: 2048, keyLength: 2048, headDim: 128, causal: true),
                                .rowwise(kind: .layernorm, tokens: 4096, hidden: 8192), .elementwise(bytes: 1e8)]
        var points: [(RooflineOperation, RooflineDevice, DieSplit)] = []
        for d in devices { for op in ops { for s in [DieSplit.auto, .n] { points.append((op, d, s)) } } }
        let batch = Roofline.evaluateMany(points)
        for (p, r) in zip(points, batch) {
            #expect(r == Roofline.evaluate(p.0, on: p.1, split: p.2))
        }
    }
}
