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
