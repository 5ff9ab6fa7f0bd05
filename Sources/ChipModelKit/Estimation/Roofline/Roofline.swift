/// How an operation that spans a multi-die package is divided between dies.
public enum DieSplit: String, Sendable, CaseIterable {
    /// Choose the split with the fewest bytes crossing the D2D link.
    case auto
    /// GEMM: rows of A (and C); B crosses. Attention: by query blocks.
    case m
    /// GEMM: columns of B (and C); A crosses. Attention: by heads.
    case n
    /// GEMM: the reduction dimension; partial sums cross (FP32).
    case k
    /// Independent batch entries; nothing crosses.
    case batch
}

/// One chip in one number format, as the roofline sees it: peaks already multiplied by the
/// family's efficiency fractions, bandwidths in bytes per second.
public struct RooflineDevice: Sendable, Equatable {
    public var chipID: String
    public var format: NumberFormat
    /// The format whose peak is used (differs from `format` when emulated).
    public var computeFormat: NumberFormat
    /// Vendor dense matrix peak, FLOP/s.
    public var peakFlops: Double
    /// Sustained matrix peak: `peakFlops` x the family's matrix fraction, FLOP/s.
    public var sustainedMatmulFlops: Double
    /// Sustained vector throughput for non-matrix work, FLOP/s.
    public var sustainedVectorFlops: Double
    /// Vendor off-chip bandwidth, B/s.
    public var peakMemoryBytesPerSecond: Double
    public var memoryBytesPerSecond: Double
    /// Usable on-chip capacity for tiles, bytes (half the SRAM: the rest holds other state).
    public var sramTileBytes: Double
    /// On-chip bandwidth, B/s (infinite when unknown: no SRAM ceiling is applied).
    public var sramBytesPerSecond: Double
    public var dies: Int
    /// Sustained D2D bandwidth each way, B/s (infinite for a monolithic chip).
    public var d2dBytesPerSecondPerDirection: Double
    public var calibration: FamilyCalibration

    /// Builds the device; throws for a format the chip lacks (unless `emulate`) or a missing
    /// memory bandwidth.
    public init(chip: ChipParameters, format: NumberFormat, emulate: Bool = false,
                calibration: FamilyCalibration? = nil) throws {
        let cal = calibration ?? Calibration.family(chip.family)
        let (used, peakT) = try chip.matmulPeak(format, emulate: emulate)
        guard let bw = chip.memoryBandwidthGBps else { throw MissingSpecError(chip: chip.id, key: "memory.bandwidthGBps") }
        // The spec decoder and the commands reject zero, negative and non-finite rates; a
        // library caller building `ChipParameters` by hand must not get NaN times (0/0) either.
        guard bw > 0, bw.isFinite else { throw MissingSpecError(chip: chip.id, key: "memory.bandwidthGBps (a positive finite value)") }
        guard peakT > 0, peakT.isFinite else { throw MissingSpecError(chip: chip.id, key: "\(used.rawValue) peak (a positive finite value)") }
        chipID = chip.id
        self.format = format
        computeFormat = used
        peakFlops = peakT * 1e12
        sustainedMatmulFlops = peakFlops * cal.matmulPeakFraction
        // Vector units: the FP32 vector peak where stated, else 1/16 of the 16-bit matrix peak
        // (the ratio on A100, 19.5 vs 312 BF16, is 1/16; H100 67/989 is 1/15).
        let statedVectorT = chip.vectorTflops[.fp32] ?? ((chip.matmulTflops[.bf16] ?? chip.matmulTflops[.fp16] ?? peakT) / 16)
        let vectorT = statedVectorT > 0 && statedVectorT.isFinite ? statedVectorT : peakT / 16
        sustainedVectorFlops = vectorT * 1e12 * cal.matmulPeakFraction
        peakMemoryBytesPerSecond = bw * 1e9
        memoryBytesPerSecond = bw * 1e9 * cal.memoryBandwidthFraction
        sramTileBytes = (chip.sramMB ?? chip.l2CacheMB ?? 0) * 1e6 * 0.5
        sramBytesPerSecond = (chip.sramBandwidthGBps.map { $0 * 1e9 * cal.memoryBandwidthFraction }) ?? .infinity
        dies = chip.computeDies
        if dies > 1, let d2d = chip.d2dPerDirectionGBps {
            d2dBytesPerSecondPerDirection = d2d * 1e9 * cal.d2dFraction
        } else {
            d2dBytesPerSecondPerDirection = .infinity
        }
        self.calibration = cal
    }
}

/// The roofline of one operation on one device.
public struct RooflineResult: Sendable, Equatable {
    public var operation: RooflineOperation
    public var flops: Double
    /// Off-chip bytes after on-chip tiling.
    public var bytes: Double
    /// On-chip bytes (tile re-reads served by SRAM/L2).
    public var sramBytes: Double
    public var d2dBytesPerDirection: Double
    public var computeSeconds: Double
    public var memorySeconds: Double
    public var sramSeconds: Double
    public var d2dSeconds: Double
    public var seconds: Double
    public var bound: Ceiling
    public var shapeEfficiency: Double
    public var split: String
    /// Vendor peak of the format used, FLOP/s.
    public var peakFlops: Double

    /// FLOPs per off-chip byte.
    public var intensity: Double { bytes > 0 ? flops / bytes : .infinity }
    /// Delivered FLOP/s.
    public var attainableFlops: Double { seconds > 0 ? flops / seconds : 0 }
    /// Delivered FLOP/s over the vendor peak.
    public var utilization: Double { peakFlops > 0 ? attainableFlops / peakFlops : 0 }
}

public enum Roofline {
    /// Tile side of the output tile a GEMM kernel uses for large dimensions (128, as in
    /// cuBLAS/CUTLASS tensor-core kernels); small dimensions use the next power of two >= 16.
    public static let gemmTile = 128

    /// Fraction of a dimension's tiles that is useful work: `x / (ceil(x / t) * t)` with
    /// `t = min(128, max(16, nextPow2(x)))` (tile quantization, as in NVIDIA's "Matrix
    /// Multiplication Background User's Guide"). Wave quantization (the last partial wave of
    /// tiles over the SMs) is not modelled: the catalog does not record compute-unit counts,
    /// and for the large operations a roofline is used on it is below a few percent.
    @inlinable
    public static func tileQuantization(_ x: Int) -> Double { tileQuantization(Double(x)) }

    /// `tileQuantization` on a dimension held as a `Double` (no overflow for any input).
    @inlinable
    public static func tileQuantization(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        var t = 16.0
        while t < x && t < Double(gemmTile) { t *= 2 }
        let tiles = (x / t).rounded(.up)
        return x / (tiles * t)
    }

    /// FLOPs, bytes and D2D traffic of an operation in a format on a package of `dies` dies.
    ///
    /// Conventions:
    /// - GEMM: 2·M·N·K FLOPs (multiply-add = 2); compulsory bytes read A and B once and write
    ///   C once (C in at least 16 bits).
    /// - Fused attention (FlashAttention, Dao et al. 2022; FlashAttention-2, Dao 2023):
    ///   4·b·h·d FLOPs per (query, key) pair (QK^T and PV). Non-causal: sq·sk pairs. Causal:
    ///   the queries are the last sq positions of sk keys, so pairs = sq·sk − sq·(sq−1)/2,
    ///   which is the familiar "half" (Dao 2023, section 4.1) for sq = sk and the full sk
    ///   for decode (sq = 1). Bytes: Q and O (b·h·sq·d each) and K, V (b·kvh·sk·d each) once.
    /// - Unfused attention (eager PyTorch): both matmuls run on the full sq x sk score matrix
    ///   (causal only masks), and the scores go through HBM four times: QK^T writes S,
    ///   softmax reads S and writes P, PV reads P (Dao et al. 2022, section 3.1).
    /// - Element-wise: the given bytes, one FLOP per element read (half the bytes).
    /// - Row-wise (LayerNorm/RMSNorm/softmax): read and write tokens·hidden elements once.
    /// - Embedding: gather tokens·hidden elements and write them: 2·tokens·hidden·e bytes.
    /// - Convolution as implicit GEMM (Chetlur et al. 2014, cuDNN): M = batch·oh·ow,
    ///   N = out channels, K = in channels·k·k; bytes read the input image once (not the
    ///   k·k times larger im2col matrix), the filters once and write the output once.
    ///
    /// Multi-die packages: operands are assumed spread evenly over the dies' memories, so
    /// a die needs the part of an operand it does not own from the other dies. For `dies` = n,
    /// a fraction (n−1)/n of that operand crosses each way. GEMM: split M (B crosses),
    /// split N (A crosses), split K (FP32 partial sums of C cross), or by batch (nothing
    /// crosses); `.auto` takes the split with the fewest crossing bytes. Attention: by heads
    /// (nothing crosses when both heads and KV heads divide among the dies) or by query
    /// blocks (K and V cross).
    /// `labels: false` leaves `split` empty (no text built: the plan search times thousands
    /// of operations and reads only their numbers).
    public static func cost(_ op: RooflineOperation, format: NumberFormat, dies: Int, split: DieSplit = .auto,
                            labels: Bool = true) -> OperationCost {
        let e = format.bytesPerElement
        let eOut = max(e, 2)
        let nDies = Double(max(1, dies))
        let crossDies = nDies > 1
        let frac = (nDies - 1) / nDies
        func gemmCost(M: Double, N: Double, K: Double, B: Double) -> OperationCost {
            let flops = 2 * B * M * N * K
            let compulsory = B * (M * K + K * N) * e + B * M * N * eOut
            let t = Double(gemmTile)
            let untiled = B * (M * K * (N / t).rounded(.up) + K * N * (M / t).rounded(.up)) * e + B * M * N * eOut
            let shape = tileQuantization(M) * tileQuantization(N)
            var crossing = 0.0
            var label = labels ? "single die" : ""
            if crossDies {
                // The options in order batch, m, n, k (no array: this runs for every GEMM the
                // plan search times).
                @inline(__always) func option(_ i: Int) -> (DieSplit, Double) {
                    switch i {
                    case 0: return (.batch, B >= nDies ? 0 : .infinity)
                    case 1: return (.m, frac * B * K * N * e)
                    case 2: return (.n, frac * B * M * K * e)
                    default: return (.k, frac * B * M * N * 4)
                    }
                }
                var chosen = option(1)
                var impossible = false
                let forcedIndex: Int? = split == .auto ? nil : [DieSplit.batch, .m, .n, .k].firstIndex(of: split)
                if let f = forcedIndex, option(f).1.isFinite {
                    chosen = option(f)
                } else {
                    for i in 0..<4 where option(i).1 < chosen.1 { chosen = option(i) }
                    impossible = split != .auto
                }
                crossing = chosen.1
                if labels {
                    label = "split \(chosen.0.rawValue) across \(dies) dies" + (impossible ? " (\(split.rawValue) split impossible: batch < dies)" : "")
                }
            }
            return OperationCost(flops: flops, compulsoryBytes: compulsory, untiledBytes: untiled, shapeEfficiency: shape,
                                 d2dBytesPerDirection: crossing, split: label, usesMatrixUnits: true)
        }
        switch op {
        case let .gemm(m, n, k, batch):
            return gemmCost(M: Double(m), N: Double(n), K: Double(k), B: Double(batch))
        case let .attention(b, h, kvh, sq, sk, d, causal), let .unfusedAttention(b, h, kvh, sq, sk, d, causal):
            let B = Double(b), H = Double(h), KV = Double(max(1, kvh)), SQ = Double(sq), SK = Double(sk), D = Double(d)
            var unfused = false
            if case .unfusedAttention = op { unfused = true }
            let pairs = (causal && !unfused) ? SQ * SK - SQ * max(0, SQ - 1) / 2 : SQ * SK
            let flops = 4 * B * H * D * pairs
            let qo = 2 * B * H * SQ * D * e
            let kv = 2 * B * KV * SK * D * e
            let scores = unfused ? 4 * B * H * SQ * SK * eOut : 0
            // Without on-chip reuse each query block re-reads K and V for every query head
            // of its group.
            let queryBlocks = (SQ / Double(gemmTile)).rounded(.up)
            let untiled = qo + kv * queryBlocks * (H / KV) + scores
            let shape = tileQuantization(SQ) * tileQuantization(SK)
            var crossing = 0.0
            var label = labels ? "single die" : ""
            if crossDies {
                let byHeads = H >= nDies && split != .m && split != .k
                if byHeads && KV >= nDies {
                    if labels { label = "split by heads across \(dies) dies" }
                } else if byHeads {
                    crossing = frac * kv
                    if labels { label = "split by heads across \(dies) dies (shared K/V heads cross)" }
                } else {
                    crossing = frac * kv
                    if labels { label = "split by query blocks across \(dies) dies (K/V cross)" }
                }
            }
            return OperationCost(flops: flops, compulsoryBytes: qo + kv + scores, untiledBytes: untiled, shapeEfficiency: shape,
                                 d2dBytesPerDirection: crossing, split: label, usesMatrixUnits: true)
        case let .elementwise(bytes):
            let b = bytes.isFinite ? max(0, bytes) : 0
            return OperationCost(flops: b / 2 / e, compulsoryBytes: b, untiledBytes: b, shapeEfficiency: 1,
                                 d2dBytesPerDirection: 0, split: crossDies ? "each die its own part" : "single die",
                                 usesMatrixUnits: false)
        case let .rowwise(kind, tokens, hidden):
            let elements = Double(tokens) * Double(hidden)
            let b = 2 * elements * e
            return OperationCost(flops: kind.flopsPerElement * elements, compulsoryBytes: b, untiledBytes: b,
                                 shapeEfficiency: 1, d2dBytesPerDirection: 0,
                                 split: crossDies ? "rows split across dies" : "single die", usesMatrixUnits: false)
        case let .embedding(tokens, hidden):
            let gathered = Double(tokens) * Double(hidden) * e
            let crossing = crossDies ? frac * gathered : 0
            return OperationCost(flops: 0, compulsoryBytes: 2 * gathered, untiledBytes: 2 * gathered, shapeEfficiency: 1,
                                 d2dBytesPerDirection: crossing, split: crossDies ? "table rows split across dies" : "single die",
                                 usesMatrixUnits: false)
        case let .conv2d(b, ci, co, oh, ow, k, s):
            let B = Double(b), CI = Double(ci), CO = Double(co), OH = Double(oh), OW = Double(ow), KS = Double(k), S = Double(s)
            let inputBytes = B * CI * (OH * S) * (OW * S) * e
            let M = B * OH * OW, N = CO, KK = CI * KS * KS
            var c = gemmCost(M: M, N: N, K: KK, B: 1)
            // Implicit GEMM reads the input image once, not the k*k-times-larger im2col matrix.
            let im2col = M * KK * e
            c.compulsoryBytes += inputBytes - im2col
            c.untiledBytes += inputBytes - im2col
            c.compulsoryBytes = max(c.compulsoryBytes, KK * N * e + M * N * eOut)
            c.untiledBytes = max(c.untiledBytes, c.compulsoryBytes)
            if crossDies && B >= nDies && (split == .auto || split == .batch) {
                c.d2dBytesPerDirection = 0
                if labels { c.split = "split by batch across \(dies) dies" }
            }
            return c
        }
    }

    /// Off-chip bytes of a GEMM-like operation given on-chip tile capacity: square output
    /// tiles of side T with T = sqrt(tileBytes / (2e)) re-read operand panels once per tile,
    /// so traffic = 2·MNK·e / T + output; never below the compulsory traffic nor above the
    /// no-reuse traffic. When the whole working set fits on chip, only compulsory traffic
    /// reaches off-chip memory.
    @inlinable
    public static func offChipBytes(_ cost: OperationCost, format: NumberFormat, tileBytes: Double) -> Double {
        guard cost.usesMatrixUnits, cost.untiledBytes > cost.compulsoryBytes else { return cost.compulsoryBytes }
        if tileBytes >= cost.compulsoryBytes { return cost.compulsoryBytes }
        let e = format.bytesPerElement
        let t = max(Double(gemmTile), (tileBytes / (2 * e)).squareRoot())
        let extra = (cost.untiledBytes - cost.compulsoryBytes) * Double(gemmTile) / t
        return min(cost.untiledBytes, cost.compulsoryBytes + extra)
    }

    /// Evaluates one operation on one device (the scalar path; `evaluateMany` is the batch
    /// path and gives the same bits).
    public static func evaluate(_ op: RooflineOperation, on device: RooflineDevice, split: DieSplit = .auto,
                                labels: Bool = true) -> RooflineResult {
        let p = prepare(op, on: device, split: split, labels: labels)
        let t = RooflineBatch.pointTime(flops: p.cost.flops, sustainedFlops: p.sustainedFlops, bytes: p.bytes,
                          bytesPerSecond: device.memoryBytesPerSecond, sramBytes: p.sramBytes,
                          sramBytesPerSecond: device.sramBytesPerSecond, d2dBytes: p.cost.d2dBytesPerDirection,
                          d2dBytesPerSecond: device.d2dBytesPerSecondPerDirection)
        return result(p, seconds: t.seconds, bound: t.bound)
    }
}
