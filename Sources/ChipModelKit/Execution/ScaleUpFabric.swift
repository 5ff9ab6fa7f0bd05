/// The wiring of a scale-up domain when it is not a switch: a full mesh of direct links, a
/// torus, a mesh or a ring (`Specs/systems/*.json`, key `scaleUp.topology`). A `Cluster`
/// without a fabric has the switched two-tier network every chip spec describes.
public struct ScaleUpFabric: Sendable, Equatable {
    public var topology: ScaleUpTopology
    /// Chips per dimension (torus, mesh); `[domainSize]` for a ring; empty for all-to-all.
    public var dimensions: [Int]
    /// Share of the per-chip scale-up bandwidth on each dimension (sums to 1).
    public var dimensionShares: [Double]
    /// Chips in the domain (all-to-all: the per-chip bandwidth is split over `domainSize - 1`
    /// direct links).
    public var domainSize: Int

    public init(topology: ScaleUpTopology, dimensions: [Int], dimensionShares: [Double]? = nil, domainSize: Int) {
        self.topology = topology
        self.dimensions = topology == .ring && dimensions.isEmpty ? [domainSize] : dimensions
        let n = self.dimensions.count
        if let s = dimensionShares, s.count == n, s.allSatisfy({ $0 > 0 }) {
            let total = s.reduce(0, +)
            self.dimensionShares = s.map { $0 / total }
        } else {
            self.dimensionShares = Array(repeating: n > 0 ? 1 / Double(n) : 1, count: n)
        }
        self.domainSize = max(1, domainSize)
    }

    /// The fabric of a system's scale-up domain; nil for a switched domain (which the two-tier
    /// network already models, bit for bit).
    public init?(system: SystemSpec) {
        let u = system.scaleUp
        guard u.topology != .switched else { return nil }
        let shares = u.dimensionBandwidthGBps.isEmpty ? nil : u.dimensionBandwidthGBps.map(\.nominal)
        self.init(topology: u.topology, dimensions: u.dimensions, dimensionShares: shares, domainSize: system.domainChips)
    }

    /// `torus3d 8x8x16`, `all-to-all (8)`.
    public var label: String {
        dimensions.isEmpty ? "\(topology.rawValue) (\(domainSize))" : "\(topology.rawValue) \(dimensions.map(String.init).joined(separator: "x"))"
    }
}
