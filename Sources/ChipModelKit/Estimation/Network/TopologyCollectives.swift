/// Collectives inside a scale-up domain that is not a switch (`ScaleUpFabric`).
///
/// A switch gives every chip its full per-chip bandwidth `B` to any peer, so any group runs a
/// ring (or tree) at `B`. Other wirings give a group only the links it spans:
///
/// - **Torus / mesh / ring** (TPU ICI, Trn2 NeuronLink): the group is laid over the dimensions
///   in order (consecutive ranks fill dimension 1 first, as TP groups do). A collective runs as
///   one ring per dimension, each on that dimension's links only: reduce-scatter along
///   dimension 1 on the whole buffer, along dimension 2 on 1/m1 of it, and so on; an
///   all-reduce adds the all-gathers in reverse (the multi-dimensional ring of Jouppi et al.,
///   "TPU v4: An Optically Reconfigurable Supercomputer for Machine Learning", ISCA 2023,
///   section 3; per dimension the ring of Thakur, Rabenseifner and Gropp 2005). Dimension k
///   carries `B x share_k` each way (both neighbours). A dimension the group covers only
///   partly, or any dimension of a mesh, has no wrap-around link: the ring runs over a line and
///   gets half that bandwidth.
///   An all-to-all is bound by the bisection (Dally and Towles, "Principles and Practices of
///   Interconnection Networks", 2004, section 3.3: a k-ary torus sustains 8b/k per node under
///   uniform traffic): along dimension k a byte travels m/4 hops on average with wrap-around
///   (m/2 on a line), so that dimension needs `S x hops_k / B_k`; dimensions work at once and
///   the slowest bounds the time. A point-to-point message uses one link of dimension 1.
/// - **All-to-all** (a full mesh of direct links: HCCS in an Atlas 800T A2, Infinity Fabric on
///   an MI300X board, Biren BLink): the per-chip bandwidth is split over `domainSize - 1` links,
///   one per peer. A group of g chips uses its g - 1 links at once (direct reduce-scatter and
///   all-gather, one step each), so it gets `B x (g - 1) / (domainSize - 1)`; the whole domain
///   matches a switch's bandwidth in one step instead of g - 1.
///
/// Every time is linear in the buffer size (`fixed + perByte x S`), which the decode model
/// uses as an equivalent ring tier (`scaleUpTier(for:n:)`).
extension ClusterNetwork {
    /// Latency and per-byte cost of a collective over `n` chips of one domain under `fabric`.
    public static func fabricCost(_ collective: Collective, n: Int, fabric f: ScaleUpFabric, tier: NetworkTier) -> (fixed: Double, perByte: Double) {
        guard n > 1 else { return (0, 0) }
        let B = tier.bytesPerSecond, alpha = tier.latencySeconds
        guard B > 0 else { return (0, .infinity) }
        switch f.topology {
        case .switched:
            let N = Double(n)
            switch collective {
            case .allReduce: return (2 * (N - 1) * alpha, 2 * (N - 1) / N / B)
            case .pointToPoint: return (alpha, 1 / B)
            default: return ((N - 1) * alpha, (N - 1) / N / B)
            }
        case .allToAll:
            let links = Double(max(1, f.domainSize - 1))
            let g = Double(min(n, f.domainSize))
            let perLink = B / links
            switch collective {
            case .allReduce: return (2 * alpha, 2 / (g * perLink))
            case .reduceScatter, .allGather, .allToAll: return (alpha, 1 / g / perLink)
            case .pointToPoint: return (alpha, 1 / perLink)
            }
        case .torus2d, .torus3d, .mesh, .ring:
            let dims = layout(n, over: f)
            switch collective {
            case .pointToPoint:
                // One link of the first dimension: half of that dimension's two-neighbour bandwidth.
                let share = f.dimensionShares.first ?? 1
                return (alpha, 1 / (B * share / 2))
            case .allToAll:
                var worst = 0.0, steps = 0.0
                for d in dims {
                    let m = Double(d.chips)
                    let hops = d.wraps ? (d.chips % 2 == 0 ? m / 4 : (m * m - 1) / (4 * m)) : m / 2
                    worst = max(worst, hops / (B * d.share))
                    steps += m - 1
                }
                return (steps * alpha, worst)
            case .allReduce, .reduceScatter, .allGather:
                var fixed = 0.0, perByte = 0.0, fraction = 1.0
                for d in dims {
                    let m = Double(d.chips)
                    let bw = B * d.share * (d.wraps ? 1 : 0.5)
                    perByte += (m - 1) / m * fraction / bw
                    fixed += (m - 1) * alpha
                    fraction /= m
                }
                let passes = collective == .allReduce ? 2.0 : 1.0
                return (passes * fixed, passes * perByte)
            }
        }
    }

    /// One dimension of a group's placement: chips along it, its bandwidth share, and whether
    /// the group closes the ring (covers the whole dimension of a torus or ring).
    struct DimensionUse: Equatable {
        var chips: Int
        var share: Double
        var wraps: Bool
    }

    /// How a group of `n` consecutive chips lies over the fabric's dimensions: dimension 1
    /// first, each taken whole while the group is larger (`ceil` when it does not divide).
    static func layout(_ n: Int, over f: ScaleUpFabric) -> [DimensionUse] {
        var out: [DimensionUse] = []
        var remaining = max(1, n)
        for (k, size) in f.dimensions.enumerated() where remaining > 1 {
            let m = min(size, remaining)
            if m > 1 {
                out.append(DimensionUse(chips: m, share: k < f.dimensionShares.count ? f.dimensionShares[k] : 1,
                                        wraps: m == size && f.topology != .mesh))
            }
            remaining = (remaining + m - 1) / m
        }
        if remaining > 1 {
            // More chips than the dimensions hold (a group larger than the domain is split by
            // the caller; this is a safeguard): the rest rides the last dimension as a line.
            out.append(DimensionUse(chips: remaining, share: f.dimensionShares.last ?? 1, wraps: false))
        }
        return out
    }

    /// Time of a collective over `n` chips inside one scale-up domain: the fabric's wiring, or
    /// the switched tier (`flat`) when there is no fabric.
    func scaleUpTime(_ collective: Collective, bytes: Double, n: Int) -> Double {
        guard let f = fabric, f.topology != .switched else { return Self.flat(collective, bytes: bytes, n: n, tier: scaleUp) }
        guard n > 1 else { return 0 }
        guard scaleUp.bytesPerSecond > 0 else { return .infinity }
        let c = Self.fabricCost(collective, n: n, fabric: f, tier: scaleUp)
        return c.fixed + c.perByte * bytes
    }

    /// The scale-up tier as an equivalent ring tier for `collective` over `n` chips: the
    /// bandwidth and latency that make the ring formula of `ClusterNetwork.flat` give the
    /// fabric's time (the decode model's closed-form costs use it). Without a fabric, the tier
    /// itself.
    public func scaleUpTier(for collective: Collective, n: Int) -> NetworkTier {
        guard let f = fabric, f.topology != .switched, n > 1, scaleUp.bytesPerSecond > 0 else { return scaleUp }
        let c = Self.fabricCost(collective, n: n, fabric: f, tier: scaleUp)
        let N = Double(n)
        let (ringSteps, ringFraction): (Double, Double)
        switch collective {
        case .allReduce: (ringSteps, ringFraction) = (2 * (N - 1), 2 * (N - 1) / N)
        case .pointToPoint: (ringSteps, ringFraction) = (1, 1)
        default: (ringSteps, ringFraction) = (N - 1, (N - 1) / N)
        }
        var t = scaleUp
        t.bytesPerSecond = c.perByte > 0 ? ringFraction / c.perByte : scaleUp.bytesPerSecond
        t.latencySeconds = c.fixed / ringSteps
        return t
    }
}
