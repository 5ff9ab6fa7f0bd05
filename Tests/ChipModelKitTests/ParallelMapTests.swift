import Testing
@testable import ChipModelKit

/// The parallel forms of `map` give `map`'s results in `map`'s order.
@Suite struct ParallelMapTests {
    @Test func parallelAndConcurrentMapEqualMap() {
        for n in [0, 1, 2, 3, 7] {
            let items = Array(0..<n)
            let f: @Sendable (Int) -> Int = { x in (0..<(1000 * (n - x))).reduce(x) { ($0 &* 31 &+ $1) % 1_000_003 } }
            let expected = items.map(f)
            #expect(parallelMap(items, f) == expected, "parallelMap n=\(n)")
            #expect(concurrentMap(items, f) == expected, "concurrentMap n=\(n)")
        }
    }
}
