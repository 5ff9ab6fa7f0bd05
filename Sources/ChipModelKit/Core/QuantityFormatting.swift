// Numbers for people: the one set of formatting functions every table, explanation and
// message uses (no Foundation locale machinery, finite input, no exponent for ordinary sizes).

/// A number for people: no exponent for ordinary magnitudes, at most 4 significant digits
/// past the decimal point, thousands kept whole.
public func formatQuantity(_ x: Double, decimals: Int? = nil) -> String {
    guard x.isFinite else { return "n/a" }
    if let d = decimals { return formatFixed(x, decimals: d) }
    let a = abs(x)
    if a == 0 { return "0" }
    if a >= 100 { return formatFixed(x, decimals: 0) }
    if a >= 10 { return trimZeros(formatFixed(x, decimals: 1)) }
    if a >= 1 { return trimZeros(formatFixed(x, decimals: 2)) }
    if a >= 0.001 { return trimZeros(formatFixed(x, decimals: 4)) }
    // Below 0.001: four significant digits, "3.101e-05".
    var exponent = 0
    var mantissa = a
    while mantissa < 1 { mantissa *= 10; exponent -= 1 }
    var digits = trimZeros(formatFixed(mantissa, decimals: 3))
    if digits == "10" { digits = "1"; exponent += 1 }
    let e = -exponent
    return (x < 0 ? "-" : "") + digits + "e-" + (e < 10 ? "0" : "") + String(e)
}

/// Fixed-point formatting without Foundation's locale machinery; finite input only.
public func formatFixed(_ x: Double, decimals: Int) -> String {
    guard x.isFinite else { return "n/a" }
    let d = max(0, min(decimals, 12))
    var scale = 1.0
    for _ in 0..<d { scale *= 10 }
    let negative = x < 0
    let scaled = (abs(x) * scale).rounded()
    if scaled >= 9e15 { return negative ? "-\(abs(x))" : "\(abs(x))" }
    let whole = Int64(scaled)
    var digits = String(whole)
    if d > 0 {
        while digits.count <= d { digits = "0" + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -d)
        digits = digits[..<cut] + "." + digits[cut...]
    }
    return (negative && whole != 0 ? "-" : "") + digits
}

private func trimZeros(_ s: String) -> String {
    guard s.contains(".") else { return s }
    var t = s
    while t.hasSuffix("0") { t.removeLast() }
    if t.hasSuffix(".") { t.removeLast() }
    return t
}

/// `x` with `digits` significant digits (fixed point, no exponent for everyday magnitudes).
func formatSignificant(_ x: Double, digits: Int) -> String {
    guard x.isFinite else { return "n/a" }
    guard x != 0 else { return "0" }
    let magnitude = Int((abs(x)).log10Floor)
    return formatFixed(x, decimals: max(0, min(12, digits - 1 - magnitude)))
}

private extension Double {
    var log10Floor: Double {
        var m = 0.0, a = self
        while a >= 10 { a /= 10; m += 1 }
        while a < 1 { a *= 10; m -= 1 }
        return m
    }
}

func formatPercent(_ x: Double) -> String {
    guard x.isFinite else { return "n/a" }
    return formatFixed(x * 100, decimals: 1) + "%"
}

func formatSignedPercent(_ x: Double) -> String {
    guard x.isFinite else { return "n/a" }
    return (x >= 0 ? "+" : "") + formatFixed(x * 100, decimals: 1) + "%"
}
