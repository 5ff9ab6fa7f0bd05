/// A text table printed while its rows arrive, for outputs too long to hold (a what-if grid of
/// many thousand points). The first `blockRows` rows are held and laid out exactly as
/// `TextTable.renderText()` lays out the same rows (column widths and right alignment come from
/// them); every later row is printed at once with those widths, a wider cell pushing the rest
/// of its line, so memory stays bounded by one block. A table of at most `blockRows` rows is
/// byte-for-byte the `TextTable` rendering.
public struct StreamingTextTable: Sendable {
    public let headers: [String]
    public let blockRows: Int
    public let alignAsNumber: Set<String>
    private var held: [[String]] = []
    private var layout: (widths: [Int], right: Set<Int>)?

    public init(headers: [String], blockRows: Int = 1_000, alignAsNumber: Set<String> = ["-"]) {
        self.headers = headers.map { oneLine($0, limit: 500) }
        self.blockRows = max(1, blockRows)
        self.alignAsNumber = alignAsNumber
    }

    /// Adds a row; returns the text to print now (empty while the first block is held).
    public mutating func add(_ row: [String]) -> String {
        let cells = row.map { oneLine($0, limit: 500) }
        if let layout { return line(cells, layout) + "\n" }
        held.append(cells)
        return held.count >= blockRows ? flush() : ""
    }

    /// The text not printed yet: the header and the held rows of a table shorter than a block.
    public mutating func finish() -> String { layout == nil ? flush() : "" }

    private mutating func flush() -> String {
        let n = headers.count
        var widths = headers.map(\.count)
        for r in held { for (i, c) in r.prefix(n).enumerated() { widths[i] = max(widths[i], c.count) } }
        let right = Set((0..<n).filter { i in
            held.contains { $0.count > i && !$0[i].isEmpty } &&
            held.allSatisfy { $0.count <= i || $0[i].isEmpty || alignAsNumber.contains($0[i]) || looksNumeric($0[i]) }
        })
        let l = (widths, right)
        layout = l
        var out = line(headers, l) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in held { out += line(r, l) + "\n" }
        held = []
        return out
    }

    private func line(_ cells: [String], _ layout: (widths: [Int], right: Set<Int>)) -> String {
        var parts: [String] = []
        for i in 0..<headers.count {
            let c = i < cells.count ? cells[i] : ""
            let pad = String(repeating: " ", count: max(0, layout.widths[i] - c.count))
            parts.append(layout.right.contains(i) ? pad + c : c + pad)
        }
        var s = parts.joined(separator: "  ")
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
