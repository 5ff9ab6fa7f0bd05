import Testing
@testable import ChipModelKit

/// Collectives on a scale-up fabric that is not a switch (TopologyCollectives.swift), checked
/// against the formulas written out by hand, and the switched path left bit for bit.
@Suite struct TopologyCollectivesTests {
    static let B = 600e9, alpha = 5e-6
    static func network(_ fabric: ScaleUpFabric?, domain: Int) -> ClusterNetwork {
        ClusterNetwork(scaleUp: NetworkTier(name: "scale-up", domainSize: domain, bytesPerSecond: B, latencySeconds: alpha),
                       scaleOut: NetworkTier(name: "scale-out", domainSize: Int.max, bytesPerSecond: 50e9, latencySeconds: 8e-6),
                       fabric: fabric)
    }

    /// A 4x4x4 torus all-reduce: a ring per dimension on a third of the per-chip bandwidth,
    /// reduce-scatter then all-gather (Jouppi et al. 2023); a switch of the same per-chip
    /// bandwidth runs one ring (or tree) at the full bandwidth.
    @Test func torusAllReduceIsOneRingPerDimensionAndDiffersFromASwitch() {
        let torus = Self.network(ScaleUpFabric(topology: .torus3d, dimensions: [4, 4, 4], domainSize: 64), domain: 64)
        let switched = Self.network(nil, domain: 64)
        let S = 1e9, Bk = Self.B / 3
        var expected = 0.0
        for k in 0..<3 {
            let share = S / power(4, k)
            expected += 2 * (0.75 * share / Bk + 3 * Self.alpha)
        }
        let t = torus.time(.allReduce, bytes: S, groupSize: 64)
        #expect(abs(t - expected) / expected < 1e-12, "\(t) vs \(expected)")
        let ring = 2 * 63.0 / 64 * S / Self.B + 2 * 63 * Self.alpha
        let tree = 2 * S / Self.B + 2 * 6 * Self.alpha
        #expect(switched.time(.allReduce, bytes: S, groupSize: 64) == min(ring, tree))
        // Same per-chip bandwidth, about 3x the bandwidth time: each phase uses one dimension.
        #expect(t > 2.5 * switched.time(.allReduce, bytes: S, groupSize: 64))
        // A group of 4 (one dimension, closed ring) gets that dimension only.
        #expect(abs(torus.time(.allReduce, bytes: S, groupSize: 4) - 2 * (0.75 * S / Bk + 3 * Self.alpha)) < 1e-12)
        // A group of 2 on a dimension of 4 is a line: half the dimension's bandwidth.
        #expect(abs(torus.time(.reduceScatter, bytes: S, groupSize: 2) - (0.5 * S / (Bk / 2) + Self.alpha)) < 1e-12)
    }

    @Test func meshHasNoWrapAroundAndDimensionsCanDiffer() {
        let mesh = Self.network(ScaleUpFabric(topology: .mesh, dimensions: [4, 4], domainSize: 16), domain: 16)
        let torus = Self.network(ScaleUpFabric(topology: .torus2d, dimensions: [4, 4], domainSize: 16), domain: 16)
        let S = 1e8
        #expect(mesh.time(.allGather, bytes: S, groupSize: 16) > torus.time(.allGather, bytes: S, groupSize: 16))
        // Unequal dimensions (Trn2 UltraServer: a slow ring across instances).
        let uneven = Self.network(ScaleUpFabric(topology: .torus3d, dimensions: [4, 4, 4], dimensionShares: [256, 256, 128], domainSize: 64), domain: 64)
        let even = Self.network(ScaleUpFabric(topology: .torus3d, dimensions: [4, 4, 4], domainSize: 64), domain: 64)
        #expect(uneven.time(.allReduce, bytes: S, groupSize: 4) < even.time(.allReduce, bytes: S, groupSize: 4))
        #expect(uneven.fabric?.dimensionShares == [0.4, 0.4, 0.2])
    }

    /// Uniform all-to-all on a k-ary torus is bisection-bound: m/4 hops per dimension on
    /// average (Dally and Towles 2004): on 16x16, S x 4 / (B/2).
    @Test func torusAllToAllIsBisectionBound() {
        let torus = Self.network(ScaleUpFabric(topology: .torus2d, dimensions: [16, 16], domainSize: 256), domain: 256)
        let S = 1e10
        let expected = S * 4 / (Self.B / 2) + 30 * Self.alpha
        #expect(abs(torus.time(.allToAll, bytes: S, groupSize: 256) - expected) / expected < 1e-12)
        let switched = Self.network(nil, domain: 256)
        #expect(torus.time(.allToAll, bytes: S, groupSize: 256) > 7 * switched.time(.allToAll, bytes: S, groupSize: 256))
    }

    /// A full mesh of direct links: a group uses only its own links (g - 1 of domain - 1).
    @Test func fullMeshSplitsThePerChipBandwidthOverItsLinks() {
        let mesh = Self.network(ScaleUpFabric(topology: .allToAll, dimensions: [], domainSize: 8), domain: 8)
        let S = 1e9, perLink = Self.B / 7
        #expect(abs(mesh.time(.reduceScatter, bytes: S, groupSize: 2) - (S / 2 / perLink + Self.alpha)) < 1e-12)
        // The whole domain gets a switch's bandwidth in one step per phase.
        #expect(abs(mesh.time(.allReduce, bytes: S, groupSize: 8) - (2 * 7.0 / 8 * S / Self.B + 2 * Self.alpha)) < 1e-12)
        let switched = Self.network(nil, domain: 8)
        #expect(mesh.time(.allReduce, bytes: S, groupSize: 2) > 3 * switched.time(.allReduce, bytes: S, groupSize: 2))
        #expect(abs(mesh.time(.pointToPoint, bytes: S, groupSize: 2) - (S / perLink + Self.alpha)) < 1e-12)
    }

    /// Without a fabric (or with a switched one) every collective costs exactly what the
    /// two-tier network charged before, so existing estimates do not move.
    @Test func noFabricAndSwitchedFabricAreBitIdentical() {
        let plain = Self.network(nil, domain: 8)
        let switched = Self.network(ScaleUpFabric(topology: .switched, dimensions: [], domainSize: 8), domain: 8)
        for c in Collective.allCases {
            for (n, inner) in [(2, 2), (8, 8), (64, 8), (64, 1), (16, 4)] {
                let a = plain.time(c, bytes: 3.7e8, groupSize: n, innerSize: inner)
                #expect(a == switched.time(c, bytes: 3.7e8, groupSize: n, innerSize: inner), "\(c) \(n)/\(inner)")
            }
        }
        #expect(plain.scaleUpTier(for: .allReduce, n: 8) == plain.scaleUp)
    }

    /// The decode model's closed-form costs get an equivalent ring tier: its ring formula gives
    /// the fabric's time.
    @Test func equivalentRingTierReproducesTheFabricTime() {
        let torus = Self.network(ScaleUpFabric(topology: .torus2d, dimensions: [4, 4], domainSize: 16), domain: 16)
        for c in [Collective.allReduce, .allGather, .allToAll] {
            let tier = torus.scaleUpTier(for: c, n: 16)
            let ringOnTier = DecodeComm(name: "x", collective: c, count: 1, bytesPerSeq: 1e6, n: 16, tier: tier)
            let ring = ringOnTier.ringFixed + ringOnTier.ringPerSeq
            #expect(abs(ring - torus.time(c, bytes: 1e6, groupSize: 16)) / ring < 1e-9, "\(c)")
        }
    }

    /// A system builds the cluster's fabric; a switched system builds none.
    @Test func systemsBuildTheirFabric() throws {
        let systems = try SystemCatalog.builtIn()
        let v5p = try #require(ScaleUpFabric(system: try systems.system("tpu-v5p-pod-slice")))
        #expect(v5p.topology == .torus3d && v5p.dimensions == [8, 8, 16] && v5p.domainSize == 1024)
        #expect(ScaleUpFabric(system: try systems.system("dgx-h100-superpod")) == nil)
        let a2 = try #require(ScaleUpFabric(system: try systems.system("atlas-900-a2-pod")))
        #expect(a2.topology == .allToAll && a2.domainSize == 8)
        // The effective chip carries the system's links.
        let cm = try systems.system("cloudmatrix-384")
        let chip = cm.effectiveChip(try ChipCatalog.builtIn().chip(cm.chip))
        #expect(chip.scaleUp?.domainSize.nominal == 384 && chip.scaleOut?.nicBandwidth.perDirectionGBps() == 50)
        // ... and keeps the chip's measured expert all-to-all kernel rates (DeepEP-Ascend was
        // measured on this very system; the kernel rate is capped at the system's link anyway).
        let own = try ChipCatalog.builtIn().chip(cm.chip)
        #expect(own.scaleUp?.expertAllToAll != nil && chip.scaleUp?.expertAllToAll == own.scaleUp?.expertAllToAll)
        let h100 = try ChipCatalog.builtIn().chip("h100-sxm5-80gb")
        let dgx = try systems.system("dgx-h100-superpod").effectiveChip(h100)
        #expect(h100.scaleOut?.expertAllToAll != nil && dgx.scaleOut?.expertAllToAll == h100.scaleOut?.expertAllToAll)
    }
}

private func power(_ x: Double, _ k: Int) -> Double {
    var r = 1.0
    for _ in 0..<k { r *= x }
    return r
}
