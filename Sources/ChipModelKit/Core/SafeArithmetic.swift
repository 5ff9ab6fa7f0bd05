/// Conversions from input-derived `Double`s to `Int` that cannot trap.
///
/// `Int(x)` traps for NaN, infinity and anything outside ±2^63; every count that comes from
/// a spec file, a model file or a command-line value goes through one of these instead.

/// `x` rounded to a whole count in `lower...upper`; NaN gives `lower`.
public func wholeCount(_ x: Double, lower: Int = 1, upper: Int = 1 << 53) -> Int {
    guard x.isFinite else { return x == .infinity ? upper : lower }
    let r = x.rounded()
    if r <= Double(lower) { return lower }
    if r >= Double(upper) { return upper }
    return Int(r)
}

/// `x` as an `Int` when it is a whole number that fits, else nil (never traps).
public func exactInt(_ x: Double) -> Int? { Int(exactly: x) }
