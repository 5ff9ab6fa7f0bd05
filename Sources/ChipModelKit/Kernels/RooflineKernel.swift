import Dispatch
import Foundation

// The SIMD core of the roofline: many (operation x chip x format) points evaluated as
// structure-of-arrays columns with explicit `SIMD8<Double>` loops.
//
// Performance rules followed here (Benchmarks/README.md, "Speed notes"): the kernel is
// concrete (no generics), uses no `addingProduct`/FMA (the default x86-64 build has no FMA
// and would call libm per lane), selects with `.replacing(with:where:)` instead of
// `pointwiseMax`, and loads with `loadUnaligned` from raw pointers. Every operation in it
// (IEEE division, strict greater-than, select) is exact, so it equals the scalar oracle
// `RooflineBatch.evaluateScalar` (which calls `RooflineBatch.pointTime`) to the last bit,
// including ties, zeros, infinities and NaNs.

/// The ceiling that bounds an operation's time.
public enum Ceiling: String, Sendable, CaseIterable {
    case compute
    /// Off-chip memory (HBM/DRAM) bandwidth.
    case memory
    /// On-chip SRAM/L2 bandwidth.
    case sram
    /// Die-to-die link bandwidth (multi-die packages).
    case d2d
}

extension Ceiling {
    /// Compact code used by the batch path: the index in `Ceiling.allCases`
    /// (compute 0, memory 1, sram 2, d2d 3).
    public var code: UInt8 {
        switch self {
        case .compute: return 0
        case .memory: return 1
        case .sram: return 2
        case .d2d: return 3
        }
    }

    public init?(code: UInt8) {
        switch code {
        case 0: self = .compute
        case 1: self = .memory
        case 2: self = .sram
        case 3: self = .d2d
        default: return nil
        }
    }
}

/// Roofline points as structure-of-arrays columns: one entry per point in every column.
/// Units: FLOPs, FLOP/s, bytes and bytes per second (D2D bytes and bandwidth per direction).
public struct RooflineColumns: Sendable, Equatable {
    public private(set) var flops: [Double] = []
    public private(set) var sustainedFlops: [Double] = []
    public private(set) var bytes: [Double] = []
    public private(set) var bytesPerSecond: [Double] = []
    public private(set) var sramBytes: [Double] = []
    public private(set) var sramBytesPerSecond: [Double] = []
    public private(set) var d2dBytes: [Double] = []
    public private(set) var d2dBytesPerSecond: [Double] = []

    public var count: Int { flops.count }

    public init() {}

    /// Columns from arrays; nil unless all eight have the same length.
    public init?(flops: [Double], sustainedFlops: [Double], bytes: [Double], bytesPerSecond: [Double],
                 sramBytes: [Double], sramBytesPerSecond: [Double], d2dBytes: [Double], d2dBytesPerSecond: [Double]) {
        let n = flops.count
        guard [sustainedFlops, bytes, bytesPerSecond, sramBytes, sramBytesPerSecond, d2dBytes, d2dBytesPerSecond]
            .allSatisfy({ $0.count == n }) else { return nil }
        self.flops = flops
        self.sustainedFlops = sustainedFlops
        self.bytes = bytes
        self.bytesPerSecond = bytesPerSecond
        self.sramBytes = sramBytes
        self.sramBytesPerSecond = sramBytesPerSecond
        self.d2dBytes = d2dBytes
        self.d2dBytesPerSecond = d2dBytesPerSecond
    }

    public mutating func reserveCapacity(_ n: Int) {
        flops.reserveCapacity(n); sustainedFlops.reserveCapacity(n); bytes.reserveCapacity(n)
        bytesPerSecond.reserveCapacity(n); sramBytes.reserveCapacity(n); sramBytesPerSecond.reserveCapacity(n)
        d2dBytes.reserveCapacity(n); d2dBytesPerSecond.reserveCapacity(n)
    }

    public mutating func append(flops f: Double, sustainedFlops p: Double, bytes b: Double, bytesPerSecond bw: Double,
                                sramBytes s: Double, sramBytesPerSecond sbw: Double, d2dBytes d: Double, d2dBytesPerSecond dbw: Double) {
        flops.append(f); sustainedFlops.append(p); bytes.append(b); bytesPerSecond.append(bw)
        sramBytes.append(s); sramBytesPerSecond.append(sbw); d2dBytes.append(d); d2dBytesPerSecond.append(dbw)
    }
}

/// Per-point results of the batch path: seconds and the binding ceiling's code.
public struct RooflineBatchResult: Sendable, Equatable {
    public var seconds: [Double]
    /// `Ceiling.code` of the binding ceiling per point.
    public var boundCodes: [UInt8]

    public init(seconds: [Double] = [], boundCodes: [UInt8] = []) {
        self.seconds = seconds
        self.boundCodes = boundCodes
    }

    public func bound(_ i: Int) -> Ceiling { Ceiling(code: boundCodes[i]) ?? .compute }

    /// Bitwise equality of every result (NaN payloads included), for tests.
    public func bitwiseEqual(_ other: RooflineBatchResult) -> Bool {
        seconds.count == other.seconds.count && boundCodes == other.boundCodes
            && zip(seconds, other.seconds).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}

/// Raw column pointers for one evaluation (valid only inside `withColumnPointers`).
@usableFromInline
struct RooflineColumnPointers: @unchecked Sendable {
    let flops, peak, bytes, bandwidth, sramBytes, sramBandwidth, d2dBytes, d2dBandwidth: UnsafeRawPointer
    let seconds: UnsafeMutableRawPointer
    let codes: UnsafeMutableRawPointer
}

public enum RooflineBatch {
    /// The scalar roofline point function: the time of an operation is the largest of its
    /// compute, off-chip, on-chip and D2D times (perfect overlap of the four, the roofline
    /// assumption). Ties go to the earlier ceiling in `Ceiling.allCases` order. This is the
    /// reference the SIMD core is tested against, bit for bit.
    @inlinable
    public static func pointTime(flops: Double, sustainedFlops: Double, bytes: Double, bytesPerSecond: Double,
                                 sramBytes: Double, sramBytesPerSecond: Double, d2dBytes: Double,
                                 d2dBytesPerSecond: Double) -> (seconds: Double, bound: Ceiling) {
        let tc = flops / sustainedFlops
        let tm = bytes / bytesPerSecond
        let ts = sramBytes / sramBytesPerSecond
        let td = d2dBytes / d2dBytesPerSecond
        var t = tc, bound = Ceiling.compute
        if tm > t { t = tm; bound = .memory }
        if ts > t { t = ts; bound = .sram }
        if td > t { t = td; bound = .d2d }
        return (t, bound)
    }

    /// Below this many points a second thread does not pay (dispatch overhead; measured
    /// break-even on the 2-vCPU machine is about 1e5 points).
    public static let parallelThreshold = 100_000

    /// Evaluates every point with the SIMD kernel. `threads` nil: one thread below
    /// `parallelThreshold` points, else one chunk per active processor. Results do not depend
    /// on the thread count (each point is computed independently into its own slot).
    public static func evaluate(_ c: RooflineColumns, threads: Int? = nil) -> RooflineBatchResult {
        var r = RooflineBatchResult(seconds: [], boundCodes: [])
        evaluate(c, into: &r, threads: threads)
        return r
    }

    /// `evaluate` writing into `result`, whose arrays are reused when they already have the
    /// right length (the benchmark times the kernel, not the allocation).
    public static func evaluate(_ c: RooflineColumns, into result: inout RooflineBatchResult, threads: Int? = nil) {
        let n = c.count
        if result.seconds.count != n { result.seconds = [Double](repeating: 0, count: n) }
        if result.boundCodes.count != n { result.boundCodes = [UInt8](repeating: 0, count: n) }
        guard n > 0 else { return }
        let chunks = max(1, min(threads ?? (n >= parallelThreshold ? ProcessInfo.processInfo.activeProcessorCount : 1), 64))
        withColumnPointers(c, &result.seconds, &result.boundCodes) { p in
            if chunks == 1 {
                kernelSIMD8(p, 0, n)
            } else {
                // Chunk edges on multiples of 8 keep every chunk's SIMD body on the same points
                // as the single-threaded run (not needed for equality: points are independent).
                let per = ((n + chunks - 1) / chunks + 7) & ~7
                DispatchQueue.concurrentPerform(iterations: chunks) { k in
                    let lo = min(n, k * per), hi = min(n, lo + per)
                    if lo < hi { kernelSIMD8(p, lo, hi) }
                }
            }
        }
    }

    /// The scalar oracle: the same function point by point through `RooflineBatch.pointTime`.
    public static func evaluateScalar(_ c: RooflineColumns) -> RooflineBatchResult {
        var r = RooflineBatchResult(seconds: [], boundCodes: [])
        evaluateScalar(c, into: &r)
        return r
    }

    public static func evaluateScalar(_ c: RooflineColumns, into result: inout RooflineBatchResult) {
        let n = c.count
        if result.seconds.count != n { result.seconds = [Double](repeating: 0, count: n) }
        if result.boundCodes.count != n { result.boundCodes = [UInt8](repeating: 0, count: n) }
        for i in 0..<n {
            let r = RooflineBatch.pointTime(flops: c.flops[i], sustainedFlops: c.sustainedFlops[i], bytes: c.bytes[i],
                                       bytesPerSecond: c.bytesPerSecond[i], sramBytes: c.sramBytes[i],
                                       sramBytesPerSecond: c.sramBytesPerSecond[i], d2dBytes: c.d2dBytes[i],
                                       d2dBytesPerSecond: c.d2dBytesPerSecond[i])
            result.seconds[i] = r.seconds
            result.boundCodes[i] = r.bound.code
        }
    }

    static func withColumnPointers(_ c: RooflineColumns, _ seconds: inout [Double], _ codes: inout [UInt8],
                                   _ body: (RooflineColumnPointers) -> Void) {
        c.flops.withUnsafeBufferPointer { f in
        c.sustainedFlops.withUnsafeBufferPointer { pk in
        c.bytes.withUnsafeBufferPointer { b in
        c.bytesPerSecond.withUnsafeBufferPointer { bw in
        c.sramBytes.withUnsafeBufferPointer { s in
        c.sramBytesPerSecond.withUnsafeBufferPointer { sbw in
        c.d2dBytes.withUnsafeBufferPointer { d in
        c.d2dBytesPerSecond.withUnsafeBufferPointer { dbw in
        seconds.withUnsafeMutableBufferPointer { out in
        codes.withUnsafeMutableBufferPointer { cd in
            guard let f0 = f.baseAddress, let pk0 = pk.baseAddress, let b0 = b.baseAddress, let bw0 = bw.baseAddress,
                  let s0 = s.baseAddress, let sbw0 = sbw.baseAddress, let d0 = d.baseAddress, let dbw0 = dbw.baseAddress,
                  let o0 = out.baseAddress, let c0 = cd.baseAddress else { return }
            body(RooflineColumnPointers(
                flops: UnsafeRawPointer(f0), peak: UnsafeRawPointer(pk0), bytes: UnsafeRawPointer(b0),
                bandwidth: UnsafeRawPointer(bw0), sramBytes: UnsafeRawPointer(s0), sramBandwidth: UnsafeRawPointer(sbw0),
                d2dBytes: UnsafeRawPointer(d0), d2dBandwidth: UnsafeRawPointer(dbw0),
                seconds: UnsafeMutableRawPointer(o0), codes: UnsafeMutableRawPointer(c0)))
        }}}}}}}}}}
    }

    /// The kernel over points `lo..<hi`: `SIMD8<Double>` body, scalar tail through
    /// `RooflineBatch.pointTime`. Ceiling order and strict `>` match `pointTime` exactly, so ties
    /// resolve to the earlier ceiling in both.
    static func kernelSIMD8(_ p: RooflineColumnPointers, _ lo: Int, _ hi: Int) {
        typealias V = SIMD8<Double>
        typealias I = SIMD8<Int64>
        let memoryCode = I(repeating: 1), sramCode = I(repeating: 2), d2dCode = I(repeating: 3)
        var i = lo
        while i &+ 8 <= hi {
            let o = i &* 8
            var t = p.flops.loadUnaligned(fromByteOffset: o, as: V.self) / p.peak.loadUnaligned(fromByteOffset: o, as: V.self)
            var code = I(repeating: 0)
            let tm = p.bytes.loadUnaligned(fromByteOffset: o, as: V.self) / p.bandwidth.loadUnaligned(fromByteOffset: o, as: V.self)
            let gm = tm .> t
            t.replace(with: tm, where: gm)
            code.replace(with: memoryCode, where: gm)
            let ts = p.sramBytes.loadUnaligned(fromByteOffset: o, as: V.self) / p.sramBandwidth.loadUnaligned(fromByteOffset: o, as: V.self)
            let gs = ts .> t
            t.replace(with: ts, where: gs)
            code.replace(with: sramCode, where: gs)
            let td = p.d2dBytes.loadUnaligned(fromByteOffset: o, as: V.self) / p.d2dBandwidth.loadUnaligned(fromByteOffset: o, as: V.self)
            let gd = td .> t
            t.replace(with: td, where: gd)
            code.replace(with: d2dCode, where: gd)
            p.seconds.storeBytes(of: t, toByteOffset: o, as: V.self)
            p.codes.storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: code), toByteOffset: i, as: SIMD8<UInt8>.self)
            i &+= 8
        }
        while i < hi {
            let o = i &* 8
            let r = RooflineBatch.pointTime(
                flops: p.flops.loadUnaligned(fromByteOffset: o, as: Double.self),
                sustainedFlops: p.peak.loadUnaligned(fromByteOffset: o, as: Double.self),
                bytes: p.bytes.loadUnaligned(fromByteOffset: o, as: Double.self),
                bytesPerSecond: p.bandwidth.loadUnaligned(fromByteOffset: o, as: Double.self),
                sramBytes: p.sramBytes.loadUnaligned(fromByteOffset: o, as: Double.self),
                sramBytesPerSecond: p.sramBandwidth.loadUnaligned(fromByteOffset: o, as: Double.self),
                d2dBytes: p.d2dBytes.loadUnaligned(fromByteOffset: o, as: Double.self),
                d2dBytesPerSecond: p.d2dBandwidth.loadUnaligned(fromByteOffset: o, as: Double.self))
            p.seconds.storeBytes(of: r.seconds, toByteOffset: o, as: Double.self)
            p.codes.storeBytes(of: r.bound.code, toByteOffset: i, as: UInt8.self)
            i &+= 1
        }
    }
}

// MARK: - Reciprocal form: multiply by stored reciprocals instead of dividing
//
// The division kernel above is divider-bound: 4 IEEE divisions per point, about 2 cycles
// each per element whatever the vector width (Benchmarks/README.md, "Speed notes"). When the same device (rate)
// columns are evaluated against many operations (sweeps, plan search), the rates can be
// stored once as reciprocals (seconds per FLOP, seconds per byte) and each quotient becomes
// a multiplication: the kernel then runs at the memory limit instead of the divider limit.
//
// This is a different function from `RooflineBatch.pointTime`: `x * (1 / y)` rounds twice, so it
// can differ from `x / y` by about 1 ulp (relative 2.2e-16), and reciprocals of subnormal
// rates overflow to infinity. Its own scalar oracle is `RooflineBatch.pointTimeReciprocal`, and the
// SIMD kernel equals that oracle bit for bit (IEEE multiply, strict `>`, select: all exact),
// including ties, zeros, infinities and NaNs. `Roofline.evaluate`/`evaluateMany` keep the
// division form and are unchanged.

extension RooflineBatch {
    /// `pointTime` with the four rates given as reciprocals (seconds per FLOP and per byte):
    /// `max(flops * secondsPerFlop, bytes * secondsPerByte, ...)`, ties to the earlier ceiling.
    /// The scalar oracle of `RooflineBatch.evaluate(_: RooflineReciprocalColumns, ...)`.
    package static func pointTimeReciprocal(flops: Double, secondsPerFlop: Double, bytes: Double, secondsPerByte: Double,
                                           sramBytes: Double, secondsPerSramByte: Double, d2dBytes: Double,
                                           secondsPerD2DByte: Double) -> (seconds: Double, bound: Ceiling) {
        let tc = flops * secondsPerFlop
        let tm = bytes * secondsPerByte
        let ts = sramBytes * secondsPerSramByte
        let td = d2dBytes * secondsPerD2DByte
        var t = tc, bound = Ceiling.compute
        if tm > t { t = tm; bound = .memory }
        if ts > t { t = ts; bound = .sram }
        if td > t { t = td; bound = .d2d }
        return (t, bound)
    }
}

/// Roofline points with the rate columns stored as reciprocals (seconds per FLOP, seconds
/// per off-chip byte, per SRAM byte, per D2D byte per direction). Build it once from the rates
/// (4 divisions per point, once) and replace the work columns (`setWork`) for each new set of
/// operations on the same devices.
package struct RooflineReciprocalColumns: Sendable, Equatable {
    package private(set) var flops: [Double] = []
    package private(set) var secondsPerFlop: [Double] = []
    package private(set) var bytes: [Double] = []
    package private(set) var secondsPerByte: [Double] = []
    package private(set) var sramBytes: [Double] = []
    package private(set) var secondsPerSramByte: [Double] = []
    package private(set) var d2dBytes: [Double] = []
    package private(set) var secondsPerD2DByte: [Double] = []

    package var count: Int { flops.count }

    package init() {}

    /// The same points with each rate `r` stored as `1 / r` (IEEE division, once).
    package init(_ c: RooflineColumns) {
        flops = c.flops
        bytes = c.bytes
        sramBytes = c.sramBytes
        d2dBytes = c.d2dBytes
        secondsPerFlop = c.sustainedFlops.map { 1 / $0 }
        secondsPerByte = c.bytesPerSecond.map { 1 / $0 }
        secondsPerSramByte = c.sramBytesPerSecond.map { 1 / $0 }
        secondsPerD2DByte = c.d2dBytesPerSecond.map { 1 / $0 }
    }

    /// Replaces the work columns (new operations on the same devices). False, and nothing
    /// changed, unless every column has `count` entries.
    @discardableResult
    package mutating func setWork(flops f: [Double], bytes b: [Double], sramBytes s: [Double], d2dBytes d: [Double]) -> Bool {
        guard f.count == count, b.count == count, s.count == count, d.count == count else { return false }
        flops = f; bytes = b; sramBytes = s; d2dBytes = d
        return true
    }
}

extension RooflineBatch {
    /// The reciprocal form with the SIMD kernel (multiplications only). Threads as in
    /// `evaluate(_: RooflineColumns, ...)`; results do not depend on the thread count.
    package static func evaluate(_ c: RooflineReciprocalColumns, threads: Int? = nil) -> RooflineBatchResult {
        var r = RooflineBatchResult()
        evaluate(c, into: &r, threads: threads)
        return r
    }

    package static func evaluate(_ c: RooflineReciprocalColumns, into result: inout RooflineBatchResult, threads: Int? = nil) {
        let n = c.count
        if result.seconds.count != n { result.seconds = [Double](repeating: 0, count: n) }
        if result.boundCodes.count != n { result.boundCodes = [UInt8](repeating: 0, count: n) }
        guard n > 0 else { return }
        let chunks = max(1, min(threads ?? (n >= parallelThreshold ? ProcessInfo.processInfo.activeProcessorCount : 1), 64))
        withReciprocalPointers(c, &result.seconds, &result.boundCodes) { p in
            if chunks == 1 {
                kernelReciprocalSIMD8(p, 0, n)
            } else {
                let per = ((n + chunks - 1) / chunks + 7) & ~7
                DispatchQueue.concurrentPerform(iterations: chunks) { k in
                    let lo = min(n, k * per), hi = min(n, lo + per)
                    if lo < hi { kernelReciprocalSIMD8(p, lo, hi) }
                }
            }
        }
    }

    /// The scalar oracle of the reciprocal form: `RooflineBatch.pointTimeReciprocal` point by point.
    package static func evaluateScalar(_ c: RooflineReciprocalColumns) -> RooflineBatchResult {
        var r = RooflineBatchResult()
        evaluateScalar(c, into: &r)
        return r
    }

    package static func evaluateScalar(_ c: RooflineReciprocalColumns, into result: inout RooflineBatchResult) {
        let n = c.count
        if result.seconds.count != n { result.seconds = [Double](repeating: 0, count: n) }
        if result.boundCodes.count != n { result.boundCodes = [UInt8](repeating: 0, count: n) }
        for i in 0..<n {
            let r = RooflineBatch.pointTimeReciprocal(flops: c.flops[i], secondsPerFlop: c.secondsPerFlop[i], bytes: c.bytes[i],
                                                 secondsPerByte: c.secondsPerByte[i], sramBytes: c.sramBytes[i],
                                                 secondsPerSramByte: c.secondsPerSramByte[i], d2dBytes: c.d2dBytes[i],
                                                 secondsPerD2DByte: c.secondsPerD2DByte[i])
            result.seconds[i] = r.seconds
            result.boundCodes[i] = r.bound.code
        }
    }

    static func withReciprocalPointers(_ c: RooflineReciprocalColumns, _ seconds: inout [Double], _ codes: inout [UInt8],
                                       _ body: (RooflineColumnPointers) -> Void) {
        c.flops.withUnsafeBufferPointer { f in
        c.secondsPerFlop.withUnsafeBufferPointer { pk in
        c.bytes.withUnsafeBufferPointer { b in
        c.secondsPerByte.withUnsafeBufferPointer { bw in
        c.sramBytes.withUnsafeBufferPointer { s in
        c.secondsPerSramByte.withUnsafeBufferPointer { sbw in
        c.d2dBytes.withUnsafeBufferPointer { d in
        c.secondsPerD2DByte.withUnsafeBufferPointer { dbw in
        seconds.withUnsafeMutableBufferPointer { out in
        codes.withUnsafeMutableBufferPointer { cd in
            guard let f0 = f.baseAddress, let pk0 = pk.baseAddress, let b0 = b.baseAddress, let bw0 = bw.baseAddress,
                  let s0 = s.baseAddress, let sbw0 = sbw.baseAddress, let d0 = d.baseAddress, let dbw0 = dbw.baseAddress,
                  let o0 = out.baseAddress, let c0 = cd.baseAddress else { return }
            // Same pointer bundle as the division form; here `peak`/`bandwidth`... hold reciprocals.
            body(RooflineColumnPointers(
                flops: UnsafeRawPointer(f0), peak: UnsafeRawPointer(pk0), bytes: UnsafeRawPointer(b0),
                bandwidth: UnsafeRawPointer(bw0), sramBytes: UnsafeRawPointer(s0), sramBandwidth: UnsafeRawPointer(sbw0),
                d2dBytes: UnsafeRawPointer(d0), d2dBandwidth: UnsafeRawPointer(dbw0),
                seconds: UnsafeMutableRawPointer(o0), codes: UnsafeMutableRawPointer(c0)))
        }}}}}}}}}}
    }

    /// `kernelSIMD8` with multiplications by the reciprocal columns; scalar tail through
    /// `RooflineBatch.pointTimeReciprocal`.
    static func kernelReciprocalSIMD8(_ p: RooflineColumnPointers, _ lo: Int, _ hi: Int) {
        typealias V = SIMD8<Double>
        typealias I = SIMD8<Int64>
        let memoryCode = I(repeating: 1), sramCode = I(repeating: 2), d2dCode = I(repeating: 3)
        var i = lo
        while i &+ 8 <= hi {
            let o = i &* 8
            var t = p.flops.loadUnaligned(fromByteOffset: o, as: V.self) * p.peak.loadUnaligned(fromByteOffset: o, as: V.self)
            var code = I(repeating: 0)
            let tm = p.bytes.loadUnaligned(fromByteOffset: o, as: V.self) * p.bandwidth.loadUnaligned(fromByteOffset: o, as: V.self)
            let gm = tm .> t
            t.replace(with: tm, where: gm)
            code.replace(with: memoryCode, where: gm)
            let ts = p.sramBytes.loadUnaligned(fromByteOffset: o, as: V.self) * p.sramBandwidth.loadUnaligned(fromByteOffset: o, as: V.self)
            let gs = ts .> t
            t.replace(with: ts, where: gs)
            code.replace(with: sramCode, where: gs)
            let td = p.d2dBytes.loadUnaligned(fromByteOffset: o, as: V.self) * p.d2dBandwidth.loadUnaligned(fromByteOffset: o, as: V.self)
            let gd = td .> t
            t.replace(with: td, where: gd)
            code.replace(with: d2dCode, where: gd)
            p.seconds.storeBytes(of: t, toByteOffset: o, as: V.self)
            p.codes.storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: code), toByteOffset: i, as: SIMD8<UInt8>.self)
            i &+= 8
        }
        while i < hi {
            let o = i &* 8
            let r = RooflineBatch.pointTimeReciprocal(
                flops: p.flops.loadUnaligned(fromByteOffset: o, as: Double.self),
                secondsPerFlop: p.peak.loadUnaligned(fromByteOffset: o, as: Double.self),
                bytes: p.bytes.loadUnaligned(fromByteOffset: o, as: Double.self),
                secondsPerByte: p.bandwidth.loadUnaligned(fromByteOffset: o, as: Double.self),
                sramBytes: p.sramBytes.loadUnaligned(fromByteOffset: o, as: Double.self),
                secondsPerSramByte: p.sramBandwidth.loadUnaligned(fromByteOffset: o, as: Double.self),
                d2dBytes: p.d2dBytes.loadUnaligned(fromByteOffset: o, as: Double.self),
                secondsPerD2DByte: p.d2dBandwidth.loadUnaligned(fromByteOffset: o, as: Double.self))
            p.seconds.storeBytes(of: r.seconds, toByteOffset: o, as: Double.self)
            p.codes.storeBytes(of: r.bound.code, toByteOffset: i, as: UInt8.self)
            i &+= 1
        }
    }
}
