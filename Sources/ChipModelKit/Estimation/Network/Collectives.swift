/// One tier of the cluster network, per chip.
public struct NetworkTier: Sendable, Equatable {
    public var name: String
    /// Chips that share this tier's fast path (the scale-up domain); `Int.max` for scale-out.
    public var domainSize: Int
    /// Sustained bandwidth per chip each way, B/s (link peak x the family's efficiency).
    public var bytesPerSecond: Double
    /// Per-step latency (alpha), seconds.
    public var latencySeconds: Double

    public init(name: String, domainSize: Int, bytesPerSecond: Double, latencySeconds: Double) {
        self.name = name
        self.domainSize = domainSize
        self.bytesPerSecond = bytesPerSecond
        self.latencySeconds = latencySeconds
    }
}

/// Collective operations (NCCL semantics: `bytes` is each chip's buffer size).
public enum Collective: String, Sendable, CaseIterable {
    case allReduce, reduceScatter, allGather, allToAll, pointToPoint
}

/// The two-tier network of a cluster: a scale-up domain (NVLink/NVSwitch, BLink, HCCS, ICI,
/// supernodes) and scale-out NICs. Costs follow the alpha-beta model of Thakur, Rabenseifner
/// and Gropp 2005 ("Optimization of Collective Communication Operations in MPICH") per tier;
/// a collective whose group spans domains runs hierarchically (reduce-scatter inside each
/// domain, the cross-domain step on 1/a of the data over the NICs, all-gather inside), so the
/// traffic that crosses tiers pays the slower tier.
public struct ClusterNetwork: Sendable, Equatable {
    public var scaleUp: NetworkTier
    public var scaleOut: NetworkTier
    /// The scale-up wiring when it is not a switch (torus, mesh, ring, full mesh); nil keeps
    /// the switched tier's formulas (TopologyCollectives.swift).
    public var fabric: ScaleUpFabric?

    public init(scaleUp: NetworkTier, scaleOut: NetworkTier, fabric: ScaleUpFabric? = nil) {
        self.scaleUp = scaleUp
        self.scaleOut = scaleOut
        self.fabric = fabric
    }

    /// Builds the network of a chip. `domainSize` overrides the spec's scale-up domain. A chip
    /// with no scale-up network has a domain of 1; one with no scale-out NIC spec cannot span
    /// domains (`MissingSpecError` when a plan needs it, raised by the caller).
    public init(chip: ChipParameters, domainSize: Int? = nil, calibration: FamilyCalibration? = nil, fabric: ScaleUpFabric? = nil) {
        self.fabric = fabric
        let cal = calibration ?? Calibration.family(chip.family)
        let upBW = (chip.scaleUpPerDirectionGBps ?? 0) * 1e9 * cal.scaleUpFraction
        let outBW = (chip.scaleOutPerDirectionGBps ?? 0) * 1e9 * cal.scaleOutFraction
        let domain = max(1, domainSize ?? (chip.scaleUpPerDirectionGBps == nil ? 1 : chip.scaleUpDomainSize))
        scaleUp = NetworkTier(name: "scale-up", domainSize: domain, bytesPerSecond: upBW > 0 ? upBW : outBW,
                              latencySeconds: (chip.scaleUpLatencyUs ?? 3) * 1e-6)
        scaleOut = NetworkTier(name: "scale-out", domainSize: Int.max, bytesPerSecond: outBW,
                               latencySeconds: (chip.scaleOutLatencyUs ?? 8) * 1e-6)
    }

    /// Time of a collective over a group of `groupSize` chips laid out `innerSize` per
    /// scale-up domain (consecutive ranks share a domain when the group fits in one).
    public func time(_ collective: Collective, bytes: Double, groupSize: Int, innerSize: Int? = nil) -> Double {
        guard groupSize > 1, bytes > 0 else { return 0 }
        let n = groupSize
        let a = max(1, min(innerSize ?? min(n, scaleUp.domainSize), n))
        let b = max(1, n / a)
        if b == 1 { return scaleUpTime(collective, bytes: bytes, n: n) }
        if a == 1 { return Self.flat(collective, bytes: bytes, n: n, tier: scaleOut) }
        switch collective {
        case .allReduce:
            return scaleUpTime(.reduceScatter, bytes: bytes, n: a)
                + Self.flat(.allReduce, bytes: bytes / Double(a), n: b, tier: scaleOut)
                + scaleUpTime(.allGather, bytes: bytes, n: a)
        case .reduceScatter, .allGather:
            return scaleUpTime(collective, bytes: bytes, n: a)
                + Self.flat(collective, bytes: bytes / Double(a), n: b, tier: scaleOut)
        case .allToAll:
            // Of each chip's buffer, (a-1)/n goes to domain peers and (n-a)/n leaves the domain
            // (on a fabric: an all-to-all of a/n of the buffer among the a domain chips).
            let inside = fabric == nil
                ? bytes * Double(a - 1) / Double(n) / scaleUp.bytesPerSecond + Double(a - 1) * scaleUp.latencySeconds
                : scaleUpTime(.allToAll, bytes: bytes * Double(a) / Double(n), n: a)
            let outside = bytes * Double(n - a) / Double(n) / scaleOut.bytesPerSecond + Double(b - 1) * scaleOut.latencySeconds
            return Swift.max(inside, outside)
        case .pointToPoint:
            return Self.flat(.pointToPoint, bytes: bytes, n: 2, tier: scaleOut)
        }
    }

    /// ceil(log2 n) for n >= 1, the depth of a binary tree over n ranks (bit arithmetic: a
    /// doubling loop never ends for n > 2^62).
    static func treeSteps(_ n: Int) -> Int {
        n <= 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount
    }

    /// The tier a collective over `groupSize` chips (`innerSize` per domain) needs that has no
    /// bandwidth (no link spec), or nil when it can run. Callers turn a non-nil tier into a
    /// `MissingSpecError`-style message; `time` is +infinity for such a group and must never
    /// be printed.
    public func missingTier(groupSize: Int, innerSize: Int? = nil) -> NetworkTier? {
        guard groupSize > 1 else { return nil }
        let a = max(1, min(innerSize ?? min(groupSize, scaleUp.domainSize), groupSize))
        let b = max(1, groupSize / a)
        if a > 1 && !(scaleUp.bytesPerSecond > 0) { return scaleUp }
        if b > 1 && !(scaleOut.bytesPerSecond > 0) { return scaleOut }
        return nil
    }

    /// One tier: ring algorithms for bandwidth, a binary tree (2·log2 n steps) where latency
    /// dominates, whichever is faster (NCCL picks between ring and tree the same way).
    static func flat(_ collective: Collective, bytes: Double, n: Int, tier: NetworkTier) -> Double {
        guard n > 1 else { return 0 }
        guard tier.bytesPerSecond > 0 else { return .infinity }
        let N = Double(n), S = bytes, B = tier.bytesPerSecond, alpha = tier.latencySeconds
        let steps = Double(treeSteps(n))
        switch collective {
        case .allReduce:
            let ring = 2 * (N - 1) / N * S / B + 2 * (N - 1) * alpha
            let tree = 2 * S / B + 2 * steps * alpha
            return Swift.min(ring, tree)
        case .reduceScatter, .allGather:
            // Ring (NCCL's algorithm for both): N-1 steps. The ring all-reduce above is exactly
            // a ring reduce-scatter plus a ring all-gather, so an all-reduce never costs more
            // than the phases the hierarchical path composes. (These used min(N-1, log2 N)
            // steps, recursive halving, which made a flat all-reduce dearer than its own phases
            // and a DP group faster once it left the scale-up domain; found by the properties.)
            return (N - 1) / N * S / B + (N - 1) * alpha
        case .allToAll:
            return (N - 1) / N * S / B + (N - 1) * alpha
        case .pointToPoint:
            return S / B + alpha
        }
    }
}
