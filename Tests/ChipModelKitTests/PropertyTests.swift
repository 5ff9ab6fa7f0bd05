import Foundation
import Testing
@testable import ChipModelKit
import ChipModelFuzz
import ChipModelTestSupport

/// Physics of the estimates over seeded random chips, operations, networks and models
/// (issue 9). Each test runs a few hundred cases in well under a second in a debug build; a
/// failure names the case index and seed, which `SplitMix64(seed:index:)` replays.
@Suite struct PropertyTests {
    static let seed: UInt64 = 0xC41B_0DE1
    static let cases = 400

    static func check(_ failures: [String]) {
        #expect(failures.isEmpty, Comment(rawValue: failures.joined(separator: "\n")))
    }

    /// A random chip as a device in one of its formats, with a random operation.
    static func deviceAndOp(_ rng: inout SplitMix64) -> (ChipParameters, NumberFormat, RooflineOperation)? {
        let p = RandomSpecs.parameters(&rng)
        guard let format = rng.pickIfAny(p.formats) else { return nil }
        return (p, format, RandomSpecs.operation(&rng))
    }

    static func time(_ p: ChipParameters, _ f: NumberFormat, _ op: RooflineOperation) -> Double? {
        guard let d = try? RooflineDevice(chip: p, format: f) else { return nil }
        return Roofline.evaluate(op, on: d).seconds
    }

    /// Checks that `improve` (a better chip) never makes the operation slower.
    static func improvingNeverSlows(_ what: String, _ improve: @escaping (inout ChipParameters, Double) -> Void) -> [String] {
        forAllCases(count: cases, seed: seed) { rng in
            guard let (p, f, op) = deviceAndOp(&rng), let base = time(p, f, op) else { return "no device" }
            var better = p
            let factor = rng.pick([1.0, 1.0000001, 1.5, 2, 10, 1e3])
            improve(&better, factor)
            guard let t = time(better, f, op) else { return "improved chip has no device" }
            return PropertyLaws.notSlower(t, than: base, "\(what) x\(factor): \(op.name) in \(f.rawValue)")
        }
    }

    // MARK: Roofline

    @Test func rooflineTimesAreFiniteAndPositive() {
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            guard let (p, f, op) = Self.deviceAndOp(&rng), let d = try? RooflineDevice(chip: p, format: f) else { return "no device" }
            let r = Roofline.evaluate(op, on: d)
            let empty = r.flops == 0 && r.bytes == 0 && r.d2dBytesPerDirection == 0
            let fields = [r.flops, r.bytes, r.sramBytes, r.d2dBytesPerDirection, r.computeSeconds, r.memorySeconds,
                          r.sramSeconds, r.d2dSeconds, r.utilization, r.attainableFlops]
            return PropertyLaws.first(
                PropertyLaws.validTime(r.seconds, emptyWork: empty, op.name),
                fields.allSatisfy { $0.isFinite && $0 >= 0 } ? nil : "\(op.name): a field is negative or not finite: \(fields)",
                r.seconds >= max(r.computeSeconds, r.memorySeconds, r.sramSeconds, r.d2dSeconds) ? nil : "\(op.name): time below a ceiling",
                PropertyLaws.fraction(r.utilization, "\(op.name) utilization"))
        })
    }

    @Test func moreComputeNeverSlower() {
        Self.check(Self.improvingNeverSlows("compute") { p, k in
            for f in p.matmulTflops.keys { p.matmulTflops[f]! *= k }
            for f in p.vectorTflops.keys { p.vectorTflops[f]! *= k }
        })
    }

    @Test func moreMemoryBandwidthNeverSlower() {
        Self.check(Self.improvingNeverSlows("memory bandwidth") { p, k in p.memoryBandwidthGBps = p.memoryBandwidthGBps.map { $0 * k } })
    }

    @Test func moreOnChipBandwidthAndCapacityNeverSlower() {
        Self.check(Self.improvingNeverSlows("SRAM bandwidth") { p, k in p.sramBandwidthGBps = p.sramBandwidthGBps.map { $0 * k } })
        Self.check(Self.improvingNeverSlows("SRAM capacity") { p, k in
            p.sramMB = p.sramMB.map { $0 * k }
            if p.sramMB == nil { p.l2CacheMB = p.l2CacheMB.map { $0 * k } }
        })
    }

    @Test func moreD2DBandwidthNeverSlower() {
        Self.check(Self.improvingNeverSlows("D2D bandwidth") { p, k in p.d2dPerDirectionGBps = p.d2dPerDirectionGBps.map { $0 * k } })
    }

    @Test func rooflineIsDeterministic() {
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            guard let (p, f, op) = Self.deviceAndOp(&rng), let d1 = try? RooflineDevice(chip: p, format: f),
                  let d2 = try? RooflineDevice(chip: p, format: f) else { return "no device" }
            let a = Roofline.evaluate(op, on: d1), b = Roofline.evaluate(op, on: d2)
            return PropertyLaws.bitIdentical(
                [a.seconds, a.flops, a.bytes, a.sramBytes, a.d2dBytesPerDirection, a.computeSeconds, a.memorySeconds],
                [b.seconds, b.flops, b.bytes, b.sramBytes, b.d2dBytesPerDirection, b.computeSeconds, b.memorySeconds], op.name)
                ?? (a.bound == b.bound && a.split == b.split ? nil : "\(op.name): bound or split differs")
        })
    }

    @Test func randomChipsPassTheFuzzChecks() {
        // The generator's chips are valid specs; the fuzzer's chip checks hold on them.
        Self.check(forAllCases(count: 100, seed: Self.seed) { rng in KitFuzzTargets.checkChip(RandomSpecs.chip(&rng)) })
    }

    // MARK: Collectives

    static func collectiveCase(_ rng: inout SplitMix64) -> (ClusterNetwork, Collective, Int, Int?) {
        let net = RandomSpecs.network(&rng)
        let n = rng.chance(0.1) ? rng.pick([1, 2]) : 1 << rng.below(16)
        let inner: Int? = rng.bool() ? nil : 1 + rng.below(n)
        return (net, rng.pick(Collective.allCases), n, inner)
    }

    @Test func collectiveTimesAreFiniteAndMonotoneInBytes() {
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            let (net, c, n, inner) = Self.collectiveCase(&rng)
            let sizes = [0, 1, 1e3, 1e6, 1e6 + 1, 1e9, 1e12]
            let times = sizes.map { net.time(c, bytes: $0, groupSize: n, innerSize: inner) }
            for (s, t) in zip(sizes, times) {
                if let p = PropertyLaws.validTime(t, emptyWork: s == 0 || n <= 1, "\(c) \(s) B over \(n)") { return p }
            }
            return PropertyLaws.nonDecreasing(times, "\(c) over \(n) (inner \(inner ?? -1)) vs bytes")
        })
    }

    @Test func moreNetworkBandwidthOrLessLatencyNeverSlower() {
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            let (net, c, n, inner) = Self.collectiveCase(&rng)
            let bytes = rng.logUniform(1, 1e11)
            let base = net.time(c, bytes: bytes, groupSize: n, innerSize: inner)
            let k = rng.pick([1.0000001, 2, 100])
            var up = net; up.scaleUp.bytesPerSecond *= k
            var out = net; out.scaleOut.bytesPerSecond *= k
            var fast = net; fast.scaleUp.latencySeconds /= k; fast.scaleOut.latencySeconds /= k
            return PropertyLaws.first(
                PropertyLaws.notSlower(up.time(c, bytes: bytes, groupSize: n, innerSize: inner), than: base, "\(c) scale-up x\(k) over \(n)"),
                PropertyLaws.notSlower(out.time(c, bytes: bytes, groupSize: n, innerSize: inner), than: base, "\(c) scale-out x\(k) over \(n)"),
                PropertyLaws.notSlower(fast.time(c, bytes: bytes, groupSize: n, innerSize: inner), than: base, "\(c) latency /\(k) over \(n)"))
        })
    }

    @Test func chipNetworkBandwidthNeverSlowsCollectives() {
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            let p = RandomSpecs.parameters(&rng)
            let c = rng.pick(Collective.allCases)
            let n = 1 << rng.below(14)
            let bytes = rng.logUniform(1e3, 1e10)
            let base = ClusterNetwork(chip: p).time(c, bytes: bytes, groupSize: n)
            if base.isNaN { return "\(c) over \(n) is NaN" }
            var better = p
            better.scaleUpPerDirectionGBps = p.scaleUpPerDirectionGBps.map { $0 * 2 }
            better.scaleOutPerDirectionGBps = p.scaleOutPerDirectionGBps.map { $0 * 2 }
            return PropertyLaws.notSlower(ClusterNetwork(chip: better).time(c, bytes: bytes, groupSize: n), than: base,
                                          "\(c) over \(n) with 2x links")
        })
    }

    @Test func allReduceNeverCostsMoreThanItsPhases() {
        // An all-reduce can always run as a reduce-scatter then an all-gather (the ring
        // all-reduce is exactly that), so it never costs more; the hierarchical path composes
        // these phases across domains. Failed while RS/AG used log2(N) latency steps.
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            let (net, _, n, inner) = Self.collectiveCase(&rng)
            let bytes = rng.logUniform(1, 1e11)
            let ar = net.time(.allReduce, bytes: bytes, groupSize: n, innerSize: inner)
            let phases = net.time(.reduceScatter, bytes: bytes, groupSize: n, innerSize: inner)
                + net.time(.allGather, bytes: bytes, groupSize: n, innerSize: inner)
            return PropertyLaws.notSlower(ar, than: phases, relativeTolerance: 1e-12, "all-reduce vs RS + AG over \(n) (inner \(inner ?? -1)), \(bytes) B")
        })
    }

    @Test func collectivesAreDeterministic() {
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            let (net, c, n, inner) = Self.collectiveCase(&rng)
            let bytes = rng.logUniform(1, 1e11)
            return PropertyLaws.bitIdentical([net.time(c, bytes: bytes, groupSize: n, innerSize: inner)],
                                             [net.time(c, bytes: bytes, groupSize: n, innerSize: inner)], "\(c)")
        })
    }

    // MARK: Models

    @Test func modelCountsAreConsistent() {
        Self.check(forAllCases(count: Self.cases, seed: Self.seed) { rng in
            let m = RandomSpecs.model(&rng)
            if let p = KitFuzzTargets.checkModelSpec(m) { return "\(m.id): \(p)" }
            let again = m
            return PropertyLaws.bitIdentical([m.totalParams, m.activeParams, m.forwardFlopsPerToken(sequence: 4096)],
                                             [again.totalParams, again.activeParams, again.forwardFlopsPerToken(sequence: 4096)], m.id)
        })
    }

    @Test func builtInModelsPassTheChecks() throws {
        for m in try ModelZoo.builtIn().models { #expect(KitFuzzTargets.checkModelSpec(m) == nil, "\(m.id)") }
    }

    // MARK: Laws themselves

    @Test func lawsDetectViolations() {
        #expect(PropertyLaws.notSlower(2, than: 1, "x") != nil)
        #expect(PropertyLaws.notSlower(1, than: 1, "x") == nil)
        #expect(PropertyLaws.notSlower(.nan, than: 1, "x") != nil)
        #expect(PropertyLaws.notLower(0.5, than: 1, "x") != nil)
        #expect(PropertyLaws.fraction(1.01, "mfu") != nil)
        #expect(PropertyLaws.fraction(.nan, "mfu") != nil)
        #expect(PropertyLaws.validTime(.infinity, emptyWork: false, "t") != nil)
        #expect(PropertyLaws.validTime(0, emptyWork: false, "t") != nil)
        #expect(PropertyLaws.validTime(0, emptyWork: true, "t") == nil)
        #expect(PropertyLaws.nonDecreasing([1, 2, 1.5], "t") != nil)
        #expect(PropertyLaws.sumsToParts(10, [("a", 4), ("b", 5)], "m") != nil)
        #expect(PropertyLaws.sumsToParts(9, [("a", 4), ("b", 5)], "m") == nil)
        #expect(PropertyLaws.bitIdentical([0.0], [-0.0], "z") != nil)
    }
}
