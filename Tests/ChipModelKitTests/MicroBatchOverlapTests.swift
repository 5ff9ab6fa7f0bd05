import Foundation
import Testing
@testable import ChipModelKit
import ChipModelTestSupport

/// Two-batch overlap (`MicroBatchOverlap`) and the Hopper DeepEP kernel figures
/// (`scaleOut.expertAllToAll`): mechanism checks, no deployment figure is a target.
@Suite struct MicroBatchOverlapTests {
    static func chip(_ id: String) throws -> ChipParameters { ChipParameters(chip: try ChipCatalog.builtIn().chip(id)) }
    static func model(_ id: String) throws -> ModelSpec { try ModelZoo.builtIn().model(id) }

    static func parts(_ r: inout SplitMix64) -> MicroBatchOverlap.Parts {
        MicroBatchOverlap.Parts(attention: r.logUniform(1e-4, 1), experts: r.logUniform(1e-4, 1),
                                dispatch: r.logUniform(1e-4, 1), combine: r.logUniform(1e-4, 1))
    }

    @Test func makespanLiesBetweenTheBusierResourceAndSerialHalves() {
        var r = SplitMix64(seed: 13)
        for _ in 0..<500 {
            let p = Self.parts(&r)
            let o = MicroBatchOverlap(moeLayers: Double(r.int(1...64)))
            let t = o.seconds(p)
            let compute = p.attention + p.experts, comm = p.dispatch + p.combine
            // Never faster than the busier resource running both micro-batches, never slower
            // than the two micro-batches back to back.
            #expect(t >= 2 * max(compute, comm) * (1 - 1e-12))
            #expect(t <= 2 * (compute + comm) * (1 + 1e-12))
            // Compute units held by the communication kernel only slow it, by at most 1/(1 - s).
            let s = r.uniform(0.05, 0.5)
            let shared = MicroBatchOverlap(moeLayers: o.moeLayers, commComputeShare: s).seconds(p)
            #expect(shared >= t * (1 - 1e-12))
            #expect(shared <= 2 * compute / (1 - s) + 2 * comm + 1e-12)
        }
    }

    @Test func oneResourceAloneTakesBothMicroBatches() {
        let o = MicroBatchOverlap(moeLayers: 10)
        #expect(abs(o.seconds(.init(attention: 3, experts: 1, dispatch: 0, combine: 0)) - 8) < 1e-12)
        #expect(abs(o.seconds(.init(attention: 0, experts: 0, dispatch: 1, combine: 2)) - 6) < 1e-12)
        // Comm shorter than the expert stage hides completely: 2 x compute.
        #expect(abs(o.seconds(.init(attention: 3, experts: 2, dispatch: 1, combine: 1.5)) - 10) < 1e-12)
        // A long combine exposed beside the short expert stage and the attention.
        #expect(abs(o.seconds(.init(attention: 3, experts: 1, dispatch: 1, combine: 4)) - (3 + 1 + 4 + 4)) < 1e-12)
    }

    @Test func simdMakespanIsBitIdentical() {
        var r = SplitMix64(seed: 7)
        let o = MicroBatchOverlap(moeLayers: 58, commComputeShare: 20.0 / 132)
        var ps: [MicroBatchOverlap.Parts] = []
        for _ in 0..<8 { ps.append(Self.parts(&r)) }
        let v = o.seconds(MicroBatchOverlap.Parts8(attention: SIMD8(ps.map(\.attention)), experts: SIMD8(ps.map(\.experts)),
                                                   dispatch: SIMD8(ps.map(\.dispatch)), combine: SIMD8(ps.map(\.combine))))
        for i in 0..<8 { #expect(v[i] == o.seconds(ps[i])) }
    }

    /// DeepSeek-V3 on `chip`, FP8, DP attention over `ep` chips in 8-chip domains, with and
    /// without two-batch overlap.
    static func overlapPair(_ chip: String, ep: Int) throws -> (on: LLMServingModel, off: LLMServingModel) {
        let p = try Self.chip(chip), m = try Self.model("deepseek-v3")
        func model(_ overlap: Bool) throws -> LLMServingModel {
            try LLMServingModel(model: m, chip: p, precision: .fp8, kvPrecision: nil, tp: ep, pp: 1, ep: ep,
                                scaleUpDomain: 8, dpAttention: true, twoBatchOverlap: overlap)
        }
        return (try model(true), try model(false))
    }

    @Test func largeEPDecodeOverlapIsNeverSlowerThanSerialNorFasterThanEitherResource() throws {
        let (on, off) = try Self.overlapPair("h800-sxm5-80gb", ep: 144)
        #expect(on.decode.overlap != nil && off.decode.overlap == nil)
        #expect(on.decode.terms.contains { $0.expertStage } && on.decode.comms.contains { $0.isCombine })
        var gained = false
        for b in [1.0, 144, 1440, 14400] {
            let t = on.decode.stepSeconds(batch: b, context: 4000)
            let serial = off.decode.stepSeconds(batch: b, context: 4000)
            let full = off.decode.stageParts(batch: b, context: 4000)
            #expect(t <= serial)
            #expect(t >= max(full.compute, full.comm) + on.decode.overheadSeconds - 1e-12)
            gained = gained || t < serial
            // SIMD sweep path agrees bit for bit.
            let v = on.decode.stepSeconds(batches: SIMD8(repeating: b), context: 4000)
            #expect(v[0] == t)
        }
        // At one sequence per 144 ranks the weights read twice cost more than the hidden
        // all-to-all: serial is kept. At large batches the overlap wins.
        #expect(on.decode.stepSeconds(batch: 1, context: 4000) == off.decode.stepSeconds(batch: 1, context: 4000))
        #expect(gained)
        // TP layouts (no DP attention) are untouched.
        let tp = try LLMServingModel(model: try Self.model("deepseek-v3"), chip: try Self.chip("h800-sxm5-80gb"), precision: .fp8,
                                     kvPrecision: nil, tp: 8, pp: 1, ep: 8,
                                     scaleUpDomain: 8, twoBatchOverlap: true)
        #expect(tp.decode.overlap == nil)
    }

    @Test func largeEPPrefillOverlapHidesAtMostTheCommunication() throws {
        let (on, off) = try Self.overlapPair("h100-sxm5-80gb", ep: 32)
        let t = on.prefillSeconds(sequences: 64, length: 4096).occupancy
        let serial = off.prefillSeconds(sequences: 64, length: 4096).occupancy
        let comm = off.prefillCommSeconds(tokens: 64 * 4096)
        #expect(t < serial)
        #expect(t >= max(comm, serial - comm) * (1 - 1e-12))
        // DeepEP's normal kernels hold 20 of the H100's 132 SMs while they run.
        #expect(abs((on.prefillOverlap()?.commComputeShare ?? 0) - 20.0 / 132) < 1e-12)
        // One prompt per rank cannot be split into two micro-batches: serial.
        #expect(on.prefillSeconds(sequences: 1, length: 4096).occupancy == off.prefillSeconds(sequences: 1, length: 4096).occupancy)
    }

    @Test func hopperDeepEPFiguresLoadWithSources() throws {
        let catalog = try ChipCatalog.builtIn()
        for id in ["h800-sxm5-80gb", "h100-sxm5-80gb"] {
            let chip = try catalog.chip(id)
            let e = try #require(chip.scaleOut?.expertAllToAll)
            #expect(e.decodeDispatchGBps?.nominal == 39 && e.decodeCombineGBps?.nominal == 39)
            #expect(e.prefillDispatchGBps?.nominal == 58 && e.prefillCombineGBps?.nominal == 57)
            for (key, v) in chip.allSpecValues where key.contains("expertAllToAll") {
                #expect(v.source.key == "deepep", "\(id) \(key)")
                #expect(v.note?.contains("EP") == true, "\(id) \(key)")
            }
            let p = ChipParameters(chip: chip)
            #expect(p.expertScaleOutDecodeDispatchGBps == 39 && p.expertScaleOutPrefillCombineGBps == 57)
        }
        // Measured on H800 (press/analyst); transferred to H100 (estimated, with a range).
        let h100 = try #require(catalog.chip("h100-sxm5-80gb").scaleOut?.expertAllToAll?.decodeCombineGBps)
        #expect(h100.confidence == .estimated && h100.low == 35.1 && h100.high == 42.9)
        #expect(try catalog.chip("h800-sxm5-80gb").scaleUp?.expertAllToAll?.prefillDispatchGBps?.nominal == 153)
        // The low-latency kernels' rate at EP144 (between the EP128 and EP256 rows, 39 and 40
        // GB/s) replaces the NIC's sustained 0.8 x 50 in decode.
        let m = try LLMServingModel(model: try Self.model("deepseek-v3"), chip: try Self.chip("h800-sxm5-80gb"), precision: .fp8,
                                    kvPrecision: nil, tp: 144, pp: 1, ep: 144, scaleUpDomain: 8, dpAttention: true)
        let combine = try #require(m.decode.comms.first { $0.isCombine })
        let rate = 39 + (log(144.0) - log(128.0)) / (log(256.0) - log(128.0)) * (40 - 39)
        let perSeq = 8.0 * 7168 * 2 / 144 * 143 / 144 / (rate * 1e9) * 58
        #expect(abs(combine.ringPerSeq * combine.count - perSeq) / perSeq < 1e-9)
    }

    /// Kernel rates by EP size (`<key>ByExpertParallel`): the rows load sorted, the rate is the
    /// row at a measured size, log-linear between rows, the end row beyond; a small EP gets the
    /// fast low-latency rate (EP8 98 GB/s), not the large-EP one; corners scale the rows.
    @Test func kernelRatesFollowTheExpertParallelSize() throws {
        let rows = [ExpertParallelRate(ranks: 8, gbps: 98), ExpertParallelRate(ranks: 16, gbps: 63), ExpertParallelRate(ranks: 128, gbps: 39)]
        #expect(ExpertParallelRate.interpolate(rows, ranks: 8) == 98 && ExpertParallelRate.interpolate(rows, ranks: 16) == 63)
        #expect(ExpertParallelRate.interpolate(rows, ranks: 2) == 98 && ExpertParallelRate.interpolate(rows, ranks: 1024) == 39)
        let mid = try #require(ExpertParallelRate.interpolate(rows, ranks: 32))
        #expect(abs(mid - (63 + (39.0 - 63) / 3)) < 1e-12)
        #expect(ExpertParallelRate.interpolate([], ranks: 8) == nil)
        let h800 = try ChipCatalog.builtIn().chip("h800-sxm5-80gb")
        let table = try #require(h800.scaleOut?.expertAllToAll?.byExpertParallel["decodeDispatchGBps"])
        #expect(table.map(\.ranks) == [8, 16, 32, 64, 128, 256] && table.first?.gbps == 98)
        let p = ChipParameters(chip: h800)
        #expect(p.expertKernelGBps("scaleOut.decodeDispatchGBps", ranks: 8) == 98)
        #expect(p.expertKernelGBps("scaleOut.decodeDispatchGBps", ranks: 128) == 39)
        // No table: the single figure, or none.
        #expect(p.expertKernelGBps("scaleUp.prefillDispatchGBps", ranks: 8) == 153)
        #expect(p.expertKernelGBps("scaleUp.decodeDispatchGBps", ranks: 8) == nil)
        // H100 (estimated, +-10%): the low corner scales every row.
        let low = ChipParameters(chip: try ChipCatalog.builtIn().chip("h100-sxm5-80gb"), corner: .low)
        #expect(abs((low.expertKernelGBps("scaleOut.decodeDispatchGBps", ranks: 8) ?? 0) - 98 * 0.9) < 1e-9)
        // Decode over 32 H800 (EP32, four nodes): dispatch at the EP32 row (48 GB/s), not the
        // EP128 one. (The EP8/EP16 rows, 98/63 GB/s, exceed the 50 GB/s NIC: DeepEP counts rows
        // that stay inside the node; the model caps a kernel rate at the link's peak.)
        let m = try LLMServingModel(model: try Self.model("deepseek-v3"), chip: try Self.chip("h800-sxm5-80gb"), precision: .fp8,
                                    kvPrecision: nil, tp: 32, pp: 1, ep: 32, scaleUpDomain: 8, dpAttention: true)
        let dispatch = try #require(m.decode.comms.first { $0.name.contains("dispatch") })
        let perSeq = 8.0 * 7168 * 1 / 32 * 31 / 32 / 48e9 * 58
        #expect(abs(dispatch.ringPerSeq * dispatch.count - perSeq) / perSeq < 1e-9, "\(dispatch.ringPerSeq * dispatch.count) vs \(perSeq)")
    }

    /// A table needs its figure (they share a source) and whole-number EP sizes.
    @Test func kernelRateTablesAreChecked() {
        func spec(_ expert: String) -> String {
            CatalogFidelityTests.base.replacingOccurrences(of: "\"formFactors\"", with: """
            "scaleOut": { "nicBandwidthGBps": { "value": 50, "source": "ds", "confidence": "vendor-official" }, "direction": "perDirection",
                          "expertAllToAll": \(expert) },
              "formFactors"
            """)
        }
        let good = spec(#"{ "decodeDispatchGBps": { "value": 39, "source": "ds", "confidence": "vendor-official" }, "decodeDispatchGBpsByExpertParallel": { "8": 98, "128": 39 } }"#)
        #expect(CatalogFidelityTests.problems(good).isEmpty, "\(CatalogFidelityTests.problems(good))")
        let orphan = spec(#"{ "decodeCombineGBpsByExpertParallel": { "8": 98 } }"#)
        #expect(CatalogFidelityTests.problems(orphan).contains { $0.contains("decodeCombineGBpsByExpertParallel") && $0.contains("given without decodeCombineGBps") })
        let badKey = spec(#"{ "decodeDispatchGBps": { "value": 39, "source": "ds", "confidence": "vendor-official" }, "decodeDispatchGBpsByExpertParallel": { "eight": 98 } }"#)
        #expect(CatalogFidelityTests.problems(badKey).contains { $0.contains("eight") && $0.contains("expert-parallel size") })
        let negative = spec(#"{ "decodeDispatchGBps": { "value": 39, "source": "ds", "confidence": "vendor-official" }, "decodeDispatchGBpsByExpertParallel": { "8": -1 } }"#)
        #expect(!CatalogFidelityTests.problems(negative).isEmpty)
    }
}
