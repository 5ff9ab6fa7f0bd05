import Testing
import ChipModelKit
import ChipModelTestSupport

/// The streamed renderings are the held ones, byte for byte, and grid points computed from
/// their index are the built grid's (issue 14: results are streamed instead of held).
@Suite struct StreamingOutputTests {
    static func randomTable(_ rng: inout SplitMix64, rows: Int) -> TextTable {
        let columns = 1 + rng.below(5)
        let cells = ["", "-", "1.5", "-3", "abc", "12,345", "x y", "+7", ".5", "n/a", "line\nbreak"]
        var t = TextTable(headers: (0..<columns).map { "h\($0)" + String(repeating: "x", count: rng.below(4)) })
        for _ in 0..<rows { t.add((0..<(rng.below(columns + 1))).map { _ in rng.pick(cells) }) }
        return t
    }

    @Test func aStreamedTableShorterThanABlockIsTheTextTable() {
        var rng = SplitMix64(seed: 14)
        for _ in 0..<200 {
            let t = Self.randomTable(&rng, rows: rng.below(12))
            var s = StreamingTextTable(headers: t.headers, blockRows: 12)
            var out = ""
            for r in t.rows { out += s.add(r) }
            out += s.finish()
            #expect(out == t.renderText())
        }
    }

    @Test func aLongStreamedTableKeepsTheFirstBlocksLayout() {
        var rng = SplitMix64(seed: 15)
        let t = Self.randomTable(&rng, rows: 40)
        var s = StreamingTextTable(headers: t.headers, blockRows: 10)
        var out = ""
        for (i, r) in t.rows.enumerated() {
            let piece = s.add(r)
            #expect(piece.isEmpty == (i < 9), "nothing printed until the first block is complete, then every row at once")
            out += piece
        }
        out += s.finish()
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 + 40 + 1, "header, rule, 40 rows")
        let firstBlock = TextTable(headers: t.headers, rows: Array(t.rows.prefix(10))).renderText()
        #expect(out.hasPrefix(firstBlock))
    }

    @Test func theJSONArrayStreamIsTheSerializedDocument() {
        let items: [JSONValue] = [.object([("a", .number(1)), ("b", .array([.string("x\ny"), .null]))]), .number(2), .array([]), .object([])]
        for head in [[], [("metric", JSONValue.string("m")), ("nested", .object([("k", .array([.bool(true)]))]))]] {
            for n in 0...items.count {
                for tail in [[], [("summary", JSONValue.object([("count", .number(3))]))]] {
                    var s = JSONArrayStream(head: head, arrayKey: "rows")
                    var out = s.begin()
                    for v in items.prefix(n) { out += s.item(v) }
                    out += s.end(tail: tail)
                    let whole = JSONValue.object(head + [("rows", .array(Array(items.prefix(n))))] + tail).serialized(pretty: true)
                    #expect(out == whole)
                }
            }
        }
    }

    @Test func gridPointsFromTheirIndex() {
        let axes = [SweepAxis(name: "a", values: [1, 2, 3]), SweepAxis(name: "b", values: [10, 20]), SweepAxis(name: "c", values: [5])]
        for k in 0...axes.count {
            let grid = SweepPoint.grid(Array(axes.prefix(k)))
            #expect(SweepPoint.count(Array(axes.prefix(k))) == grid.count)
            for (i, p) in grid.enumerated() { #expect(SweepPoint.at(i, of: Array(axes.prefix(k))) == p) }
        }
        let huge = [SweepAxis(name: "a", values: Array(repeating: 1, count: 10_000)), SweepAxis(name: "b", values: Array(repeating: 1, count: 10_000))]
        #expect(SweepPoint.count(huge) == 100_000_000, "counted, not built")
    }
}
