import Foundation

/// SplitMix64 (Steele, Lea & Flood, "Fast Splittable Pseudorandom Number Generators",
/// OOPSLA 2014): a small seeded generator with identical output on every platform, for Monte
/// Carlo, the property tests and the fuzzer. Every draw is defined here (no stdlib
/// `random(in:)`), so a seed reproduces the same values on every platform and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The generator of input `index` of a run seeded with `seed`: each input is a pure
    /// function of `(seed, index)`, so one failing input can be replayed alone.
    public init(seed: UInt64, index: UInt64) {
        var s = SplitMix64(seed: seed)
        let a = s.next()
        var t = SplitMix64(seed: a ^ (index &* 0xD6E8_FEB8_6659_FD93))
        state = t.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<n` (Lemire's multiply-high; `n <= 0` gives 0).
    public mutating func below(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound))
        if span == UInt64.max { return Int(truncatingIfNeeded: next()) }
        let r = next().multipliedFullWidth(by: span &+ 1).high
        return range.lowerBound &+ Int(truncatingIfNeeded: r)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, 1) with 53 random bits (the same draw as `unit()`).
    public mutating func nextUnit() -> Double { unit() }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Log-uniform in [lo, hi) for positive bounds: every order of magnitude equally likely.
    public mutating func logUniform(_ lo: Double, _ hi: Double) -> Double {
        let a = log2(lo), b = log2(hi)
        return exp2(a + (b - a) * unit())
    }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    public mutating func bool() -> Bool { next() & 1 == 1 }

    /// A random element; `items` must not be empty.
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// A random element, or nil for an empty array.
    public mutating func pickIfAny<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[below(items.count)] }
}
