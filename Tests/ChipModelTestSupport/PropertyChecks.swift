import ChipModelKit
import Foundation

// Seeded generators of random chips, devices, operations, networks and models, and the laws
// an estimate must obey, as reusable helpers for property tests (issue 9). Each law returns
// nil when it holds and a message when it is broken, so a test can run it over thousands of
// seeded cases and report the first counterexample with its seed.

/// Runs `body` over `count` cases, case `i` with `SplitMix64(seed: seed, index: i)`; returns
/// the messages of failing cases ("case i: ...") and stops after `maxFailures`.
public func forAllCases(count: Int, seed: UInt64, maxFailures: Int = 5,
                        _ body: (inout SplitMix64) -> String?) -> [String] {
    var failures: [String] = []
    for i in 0..<count {
        var rng = SplitMix64(seed: seed, index: UInt64(i))
        if let message = body(&rng) {
            failures.append("case \(i) (seed \(seed)): \(message)")
            if failures.count >= maxFailures { break }
        }
    }
    return failures
}

/// The laws an estimate must obey.
public enum PropertyLaws {
    /// `improved` (the same work on a strictly better machine) is not slower than `baseline`.
    /// `relativeTolerance` absorbs rounding in sums of many terms (default: exact).
    public static func notSlower(_ improved: Double, than baseline: Double, relativeTolerance: Double = 0,
                                 _ what: @autoclosure () -> String) -> String? {
        if improved.isNaN || baseline.isNaN { return "\(what()): NaN (\(improved) vs \(baseline))" }
        if improved <= baseline * (1 + relativeTolerance) { return nil }
        return "\(what()): \(improved) s is slower than \(baseline) s"
    }

    /// `improved` is not below `baseline` (throughput, capacity).
    public static func notLower(_ improved: Double, than baseline: Double, relativeTolerance: Double = 0,
                                _ what: @autoclosure () -> String) -> String? {
        if improved.isNaN || baseline.isNaN { return "\(what()): NaN (\(improved) vs \(baseline))" }
        if improved >= baseline * (1 - relativeTolerance) { return nil }
        return "\(what()): \(improved) is below \(baseline)"
    }

    /// A time: finite and positive, or exactly zero when there is no work.
    public static func validTime(_ seconds: Double, emptyWork: Bool, _ what: @autoclosure () -> String) -> String? {
        if emptyWork { return seconds == 0 ? nil : "\(what()): empty work takes \(seconds) s" }
        return seconds.isFinite && seconds > 0 ? nil : "\(what()): time \(seconds) s is not finite and positive"
    }

    /// A fraction such as MFU or scaling efficiency: finite, in [0, 1].
    public static func fraction(_ x: Double, _ what: @autoclosure () -> String, tolerance: Double = 1e-12) -> String? {
        x.isFinite && x >= 0 && x <= 1 + tolerance ? nil : "\(what()): \(x) is not in [0, 1]"
    }

    /// `values` (ordered by a growing input) never decrease.
    public static func nonDecreasing(_ values: [Double], relativeTolerance: Double = 0,
                                     _ what: @autoclosure () -> String) -> String? {
        for i in values.indices.dropFirst() {
            if values[i].isNaN || values[i] < values[i - 1] * (1 - relativeTolerance) {
                return "\(what()): falls from \(values[i - 1]) to \(values[i]) at step \(i)"
            }
        }
        return nil
    }

    /// A total equals the sum of its named parts (memory accounting).
    public static func sumsToParts(_ total: Double, _ parts: [(String, Double)], relativeTolerance: Double = 1e-9,
                                   _ what: @autoclosure () -> String) -> String? {
        let sum = parts.reduce(0) { $0 + $1.1 }
        if parts.contains(where: { !$0.1.isFinite || $0.1 < 0 }) {
            return "\(what()): a part is negative or not finite: \(parts)"
        }
        if abs(sum - total) <= relativeTolerance * max(abs(total), abs(sum)) { return nil }
        return "\(what()): total \(total) != sum of parts \(sum) (\(parts.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")))"
    }

    /// Two runs of the same input agree bit for bit.
    public static func bitIdentical(_ a: [Double], _ b: [Double], _ what: @autoclosure () -> String) -> String? {
        guard a.count == b.count else { return "\(what()): \(a.count) vs \(b.count) values" }
        for (x, y) in zip(a, b) where x.bitPattern != y.bitPattern {
            return "\(what()): \(x) vs \(y) (not bit-identical)"
        }
        return nil
    }

    /// The first failing law of a list.
    public static func first(_ checks: String?...) -> String? { checks.lazy.compactMap { $0 }.first }
}

/// Random valid chips, devices, operations, networks and models.
public enum RandomSpecs {
    static let source = SourceRef(key: "gen", title: "random chip for property tests")

    static func value(_ x: Double) -> SpecValue { SpecValue(x, confidence: .vendorOfficial, source: source) }

    /// A random chip that passes the spec decoder's checks: peaks 1 TFLOPS..10 PFLOPS in
    /// random formats, memory 100 GB/s..50 TB/s, optional SRAM, 1-8 dies with a D2D link,
    /// optional scale-up (domain 1-1024) and scale-out.
    public static func chip(_ rng: inout SplitMix64, id: String = "random-chip") -> Chip {
        var dense: [NumberFormat: SpecValue] = [:]
        let base = rng.logUniform(1, 10_000)
        for f in NumberFormat.allCases where f == .bf16 || rng.chance(0.4) {
            let scale: Double = f.bytesPerElement >= 4 ? 0.25 : f.bytesPerElement >= 2 ? 1 : 2
            dense[f] = value(base * scale * rng.uniform(0.5, 2))
        }
        var matrix: [NumberFormat: SpecValue] = [:]
        if rng.chance(0.3) { matrix[.fp32] = value(base * rng.uniform(0.1, 0.5)) }
        var onChip = OnChipMemory()
        if rng.chance(0.8) { onChip.sramMB = value(rng.logUniform(1, 2_000)) }
        if rng.chance(0.5) { onChip.l2CacheMB = value(rng.logUniform(1, 200)) }
        if rng.chance(0.3) { onChip.bandwidthGBps = value(rng.logUniform(1_000, 200_000)) }
        var memory = Memory()
        memory.capacityGB = value(rng.logUniform(8, 1_024))
        memory.bandwidthGBps = value(rng.logUniform(100, 50_000))
        let dieCount = rng.chance(0.5) ? 1 : 2 + rng.below(7)
        let d2d: D2DLink? = dieCount > 1
            ? D2DLink(bandwidth: LinkBandwidth(stated: value(rng.logUniform(100, 20_000)), direction: rng.bool() ? .bidirectional : .perDirection),
                      latencyNs: rng.bool() ? value(rng.logUniform(5, 500)) : nil)
            : nil
        let scaleUp: ScaleUp? = rng.chance(0.85)
            ? ScaleUp(name: "link", links: nil,
                      bandwidth: LinkBandwidth(stated: value(rng.logUniform(10, 4_000)), direction: rng.bool() ? .bidirectional : .perDirection),
                      domainSize: value(Double(1 << rng.below(11))), maxDomainSize: nil,
                      latencyUs: rng.bool() ? value(rng.logUniform(0.5, 20)) : nil)
            : nil
        let scaleOut: ScaleOut? = rng.chance(0.85)
            ? ScaleOut(name: "nic", nicBandwidth: LinkBandwidth(stated: value(rng.logUniform(5, 200)), direction: .perDirection),
                       latencyUs: rng.bool() ? value(rng.logUniform(1, 50)) : nil)
            : nil
        return Chip(id: id, name: id, vendor: "Random", family: rng.pick(["random", "nvidia-hopper", "biren-br1"]),
                    status: .shipping, year: value(2024), formFactors: ["OAM"],
                    dies: Dies(computeDies: value(Double(dieCount)), ioDies: nil, processNode: nil, computeDieAreaMm2: nil, transistorsBillion: nil),
                    densePeaks: dense, sparsePeaks: [:], matrixPeaks: matrix, onChip: onChip, memory: memory, d2d: d2d,
                    scaleUp: scaleUp, scaleOut: scaleOut, tdpW: value(rng.logUniform(100, 2_000)),
                    sources: ["gen": source], notes: [])
    }

    public static func parameters(_ rng: inout SplitMix64) -> ChipParameters {
        ChipParameters(chip: chip(&rng), corner: rng.pick(Corner.allCases))
    }

    /// A random operation with dimensions from 1 to ~64k (batch up to 64).
    public static func operation(_ rng: inout SplitMix64) -> RooflineOperation {
        func dim(_ maxLog2: Int = 16) -> Int { max(1, Int(rng.logUniform(1, Double(1 << maxLog2)))) }
        switch rng.below(6) {
        case 0: return .gemm(m: dim(), n: dim(), k: dim(), batch: rng.chance(0.7) ? 1 : dim(6))
        case 1, 2:
            let heads = 1 << rng.below(8)
            let kv = max(1, heads >> rng.below(4))
            let sq = dim(15)
            let sk = max(sq, dim(15))
            let op: RooflineOperation = rng.bool()
                ? .attention(batch: dim(5), heads: heads, kvHeads: kv, queryLength: sq, keyLength: sk, headDim: 32 << rng.below(3), causal: rng.bool())
                : .unfusedAttention(batch: dim(5), heads: heads, kvHeads: kv, queryLength: sq, keyLength: sk, headDim: 32 << rng.below(3), causal: rng.bool())
            return op
        case 3: return .elementwise(bytes: rng.logUniform(1, 1e11))
        case 4: return .embedding(tokens: dim(), hidden: dim(14))
        default:
            return .conv2d(batch: dim(7), inChannels: dim(11), outChannels: dim(11), outHeight: dim(8), outWidth: dim(8),
                           kernel: rng.pick([1, 3, 5, 7]), stride: rng.pick([1, 2]))
        }
    }

    /// A random two-tier network with positive bandwidths.
    public static func network(_ rng: inout SplitMix64) -> ClusterNetwork {
        ClusterNetwork(
            scaleUp: NetworkTier(name: "scale-up", domainSize: 1 << rng.below(11), bytesPerSecond: rng.logUniform(1e9, 2e12),
                                 latencySeconds: rng.logUniform(1e-7, 2e-5)),
            scaleOut: NetworkTier(name: "scale-out", domainSize: Int.max, bytesPerSecond: rng.logUniform(1e9, 1e11),
                                  latencySeconds: rng.logUniform(1e-6, 5e-5)))
    }

    /// A random valid model: dense GPT/Llama/BERT (MHA or GQA), MoE, MLA or ResNet.
    public static func model(_ rng: inout SplitMix64) -> ModelSpec {
        let kind = rng.below(5)
        if kind == 4 {
            return ModelSpec(id: "rand-resnet", name: "random resnet", architecture: .resnet, layers: 50, hidden: 2048, heads: 1,
                             ffnHidden: 0, vocab: 1000, resnetBlocks: (0..<4).map { _ in 1 + rng.below(8) },
                             imageSize: rng.pick([32, 64, 224, 512]))
        }
        let heads = 1 << rng.below(8)
        let headDim = rng.pick([32, 64, 128])
        let hidden = heads * headDim
        let kv = max(1, heads >> rng.below(4))
        let layers = 1 + rng.below(128)
        let ffn = hidden * rng.pick([2, 3, 4])
        let vocab = rng.pick([1000, 32_000, 128_256, 256_000])
        switch kind {
        case 0:
            return ModelSpec(id: "rand-gpt", name: "random gpt", architecture: rng.bool() ? .gpt : .bert, layers: layers,
                             hidden: hidden, heads: heads, ffnHidden: ffn, vocab: vocab)
        case 1:
            return ModelSpec(id: "rand-llama", name: "random llama", architecture: .llama, layers: layers, hidden: hidden,
                             heads: heads, kvHeads: kv, ffnHidden: ffn, vocab: vocab)
        case 2:
            let experts = 2 << rng.below(7)
            return ModelSpec(id: "rand-moe", name: "random moe", architecture: .moe, layers: layers, hidden: hidden, heads: heads,
                             kvHeads: kv, ffnHidden: ffn, vocab: vocab, experts: experts, expertsPerToken: 1 + rng.below(min(8, experts)),
                             expertFfnHidden: max(1, ffn / 4), sharedExperts: rng.below(2), denseLayers: rng.below(layers + 1))
        default:
            return ModelSpec(id: "rand-mla", name: "random mla", architecture: .moe, layers: layers, hidden: hidden, heads: heads,
                             ffnHidden: ffn, vocab: vocab, experts: 16, expertsPerToken: 2, expertFfnHidden: max(1, ffn / 4),
                             headDim: headDim, attention: .mla, kvLoraRank: 512, qLoraRank: rng.bool() ? 1536 : 0, ropeHeadDim: 64)
        }
    }
}
