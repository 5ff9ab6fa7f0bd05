import Testing
@testable import ChipModelKit

/// The stage metrics' memory limit (`StageMetrics.maxStagesAfter`, computed with the model
/// states once per stage) is what `GroupStageModel.memoryBytes` says stage by stage.
@Suite struct MixedStageMemoryTests {
    @Test func maxStagesAfterMatchesMemoryStageByStage() throws {
        var checked = 0
        for (id, layers) in [("a100-sxm4-80gb", 24), ("ascend-910b", 16), ("br166", 40)] {
            let w = workload(wideLlama(layers: layers), batch: 64, seq: 4096)
            let chips = 64
            let cm = try TrainingCostModel(workload: w, cluster: Cluster(chip: try params(id), count: chips))
            let g = GroupStageModel(index: 0, group: ChipGroup(chip: try params(id), count: chips), model: cm,
                                    fabric: ResolvedFabric(bytesPerSecond: 1e10, latencySeconds: 1e-5, transport: .deviceDirect, note: ""))
            for (t, p, d, b) in [(8, 2, 1, 1), (4, 4, 2, 1), (8, 1, 2, 2), (2, 8, 1, 1)] {
                guard let layer = g.layer(t: t, c: 1, b: b, sp: true) else { continue }
                let m = (w.globalBatch + d - 1) / d / b
                let gc = g.groupCosts(layer: layer, t: t, c: 1, p: p, d: d, b: b, sp: true, microbatches: m)
                for ls in [1, 2, 3, 5] {
                    for r in RecomputeMode.allCases { for z in 0...3 { for single in [false, true] {
                        let x = g.metrics(gc, ls: ls, v: 1, recompute: r, zero: z, singleGroup: single, overlap: MixedOverlap(),
                                          maxAfter: layers, clusters: 1)
                        func fits(_ after: Int) -> Bool {
                            g.memoryBytes(gc, stageLayers: ls, virtualStages: 1, recompute: r, zero: z, after: after,
                                          singleGroup: single) <= g.capacityBytes
                        }
                        guard fits(0) else {
                            #expect(x == nil, "\(id) t\(t) p\(p) d\(d) ls\(ls) \(r) z\(z): metrics for a stage that does not fit")
                            continue
                        }
                        let stage = try #require(x, "\(id) t\(t) p\(p) d\(d) ls\(ls) \(r) z\(z): no metrics for a stage that fits")
                        if single { #expect(stage.maxStagesAfter == Int.max); continue }
                        // The largest `after` up to the search's limit that still fits (memory
                        // grows with it until min(m, stages) saturates).
                        let top = min(max(0, m - p), layers)
                        let expected = fits(top) ? Int.max : (0..<top).last(where: fits)!
                        #expect(stage.maxStagesAfter == expected, "\(id) t\(t) p\(p) d\(d) ls\(ls) \(r) z\(z): \(stage.maxStagesAfter) vs \(expected)")
                        checked += 1
                    } } }
                }
            }
        }
        #expect(checked > 100)
    }
}
