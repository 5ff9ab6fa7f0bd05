/// How far a spec value can be trusted.
public enum Confidence: String, Sendable, CaseIterable, Comparable {
    /// A datasheet, vendor talk or slide, vendor press release, or MLPerf submission.
    case vendorOfficial = "vendor-official"
    /// Reported by the press or an analyst.
    case pressAnalyst = "press/analyst"
    /// Derived by chipmodel (or a named third party) from related figures; always has a range.
    case estimated = "estimated"

    private var rank: Int {
        switch self {
        case .vendorOfficial: return 0
        case .pressAnalyst: return 1
        case .estimated: return 2
        }
    }
    public static func < (a: Confidence, b: Confidence) -> Bool { a.rank < b.rank }
}

/// A cited source: a title (publisher, document, date) and a URL where one is known.
public struct SourceRef: Sendable, Equatable {
    /// The key under which the spec file's `sources` table lists it.
    public var key: String
    public var title: String
    public var url: String?

    public init(key: String, title: String, url: String? = nil) {
        self.key = key
        self.title = title
        self.url = url
    }

    public var citation: String { url.map { "\(title), \($0)" } ?? title }
}

/// Which corner of a spec value's range to evaluate at.
public enum Corner: String, Sendable, CaseIterable {
    /// Every capability (throughput, bandwidth, capacity) at the low end of its range and every
    /// cost (latency) at the high end: the pessimistic chip.
    case low
    case nominal
    /// The optimistic chip.
    case high
}

/// A number with its provenance: source, confidence and, for estimated or roadmap values,
/// the range it lies in (`low <= nominal <= high`).
public struct SpecValue: Sendable, Equatable {
    public var nominal: Double
    public var low: Double?
    public var high: Double?
    public var confidence: Confidence
    public var source: SourceRef
    public var note: String?

    public init(_ nominal: Double, low: Double? = nil, high: Double? = nil,
                confidence: Confidence, source: SourceRef, note: String? = nil) {
        self.nominal = nominal
        self.low = low
        self.high = high
        self.confidence = confidence
        self.source = source
        self.note = note
    }

    /// True when the value is uncertain enough to carry a range (estimated or roadmap).
    public var hasRange: Bool {
        guard let l = low, let h = high else { return false }
        return l < h
    }

    /// The value at a corner; `higherIsBetter` false flips the corners (latencies, power).
    public func value(at corner: Corner, higherIsBetter: Bool = true) -> Double {
        switch corner {
        case .nominal: return nominal
        case .low: return (higherIsBetter ? low : high) ?? nominal
        case .high: return (higherIsBetter ? high : low) ?? nominal
        }
    }

    /// `1024` or `900 (700-1100)`.
    public func formatted(_ format: (Double) -> String = SpecValue.defaultFormat) -> String {
        if hasRange, let l = low, let h = high {
            return "\(format(nominal)) (\(format(l))-\(format(h)))"
        }
        return format(nominal)
    }

    public static func defaultFormat(_ x: Double) -> String { formatQuantity(x) }
}

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
    return "\(x)"
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
