import Foundation
import Testing
@testable import ChipModelKit

/// The training levers (`TrainingLevers`): each resource +10% with its own plan search. Small
/// runs (a 1.3B GPT on 16 chips) keep each case to a few small searches.
@Suite struct TrainingLeversTests {
    static func run(chips: Int = 16) -> TrainingRun {
        var r = TrainingRun(model: smallGPT(), sequenceLength: 2048, globalBatch: 32, chips: chips)
        r.search = TrainingSearch.Options(top: 1)
        return r
    }

    static func levers(_ p: ChipParameters, run: TrainingRun = run()) throws -> TrainingLevers {
        let e = try run.estimate(p)
        return run.levers(p, baseline: e)
    }

    static func params(_ id: String) throws -> ChipParameters { ChipParameters(chip: try ChipCatalog.builtIn().chip(id)) }

    /// Gains are finite and never meaningfully negative; levers come sorted, largest first.
    static func checkWellFormed(_ l: TrainingLevers) {
        for g in l.levers {
            #expect(g.gain.isFinite && g.gain >= -1e-6, "\(g.name) gain \(g.gain)")
            #expect(g.tokensPerSecondPerChip.isFinite)
        }
        #expect(zip(l.levers, l.levers.dropFirst()).allSatisfy { $0.gain >= $1.gain })
        #expect(l.bubbleShare >= 0 && l.bubbleShare < 1)
    }

    /// A two-die chip whose D2D link is cut to 1 GB/s each way: the link is the lever.
    @Test func slowDieToDieIsTheTopLever() throws {
        var p = try Self.params("br166")
        #expect(p.computeDies > 1)
        p.d2dPerDirectionGBps = 1
        let l = try Self.levers(p)
        Self.checkWellFormed(l)
        #expect(l.top?.name == "d2d", "\(l.line)")
        #expect(l.topSummary.hasPrefix("d2d +"))
    }

    /// A monolithic chip on a small dense model with fast links: compute is the lever, and
    /// there is no D2D lever at all.
    @Test func computeBoundRunGetsCompute() throws {
        let p = try Self.params("h100-sxm5-80gb")
        let l = try Self.levers(p, run: Self.run(chips: 8))
        Self.checkWellFormed(l)
        #expect(l.top?.name == "compute", "\(l.line)")
        #expect(!l.levers.contains { $0.name == "d2d" })
        #expect(l.line.hasPrefix("what would help most (+10% of each"))
    }

    /// Data parallel across nodes over a very slow scale-out network: the NICs are the lever
    /// (left free, the search hides a slow network behind a pipeline instead).
    @Test func slowScaleOutIsTheTopLever() throws {
        var p = try Self.params("h100-sxm5-80gb")
        p.scaleOutPerDirectionGBps = 0.5
        var run = Self.run(chips: 32)
        run.constraints.pp = 1
        let l = try Self.levers(p, run: run)
        Self.checkWellFormed(l)
        #expect(l.top?.name == "scale-out", "\(l.line)")
    }

    /// A resource the chip lacks yields no lever; scaling leaves the other values alone.
    @Test func scalingTouchesOneResource() throws {
        let p = try Self.params("br166")
        let q = try #require(TrainingResource.memoryBandwidth.scaled(p, by: 1.1))
        #expect(abs(q.memoryBandwidthGBps! - p.memoryBandwidthGBps! * 1.1) < 1e-9)
        #expect(q.matmulTflops == p.matmulTflops && q.d2dPerDirectionGBps == p.d2dPerDirectionGBps)
        var mono = p
        mono.computeDies = 1
        #expect(TrainingResource.d2d.scaled(mono, by: 1.1) == nil)
    }
}
