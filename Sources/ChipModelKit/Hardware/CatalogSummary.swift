/// Counts over a chip catalog (and optionally systems): parts, vendors, and spec values by
/// confidence. Used by `chipmodel chips summary` and to report catalog changes.
public struct CatalogSummary: Sendable, Equatable {
    public var parts: Int
    /// Distinct `vendor` fields.
    public var vendors: [String]
    /// Chip spec values per confidence.
    public var chipValues: [Confidence: Int]
    /// Chip spec values that carry a low-high range.
    public var chipValuesWithRange: Int
    public var systems: Int
    /// System spec values per confidence.
    public var systemValues: [Confidence: Int]

    public init(chips: [Chip], systems: [SystemSpec] = []) {
        parts = chips.count
        vendors = Array(Set(chips.map(\.vendor))).sorted()
        var counts: [Confidence: Int] = [:]
        var ranged = 0
        for c in chips {
            for (_, v) in c.allSpecValues {
                counts[v.confidence, default: 0] += 1
                if v.hasRange { ranged += 1 }
            }
        }
        chipValues = counts
        chipValuesWithRange = ranged
        self.systems = systems.count
        var sys: [Confidence: Int] = [:]
        for s in systems { for (_, v) in s.allSpecValues { sys[v.confidence, default: 0] += 1 } }
        systemValues = sys
    }

    public var chipValueCount: Int { chipValues.values.reduce(0, +) }
}
