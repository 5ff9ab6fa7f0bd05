import Foundation

/// A table of strings: rendered aligned for people, or as CSV.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]]
    /// Columns to right-align (numbers); by default every column whose cells look numeric.
    public var rightAligned: Set<Int>?
    /// Non-numeric cells that still count as numbers when columns are aligned ("-" for absent).
    public var alignAsNumber: Set<String>

    public init(headers: [String], rows: [[String]] = [], rightAligned: Set<Int>? = nil,
                alignAsNumber: Set<String> = ["-"]) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
        self.alignAsNumber = alignAsNumber
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// Aligned text. Cells are made one-line first (a chip name with a line break from a user
    /// spec file would otherwise break the table).
    public func renderText() -> String {
        let headers = self.headers.map { oneLine($0, limit: 500) }
        let rows = self.rows.map { $0.map { oneLine($0, limit: 500) } }
        let n = headers.count
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.prefix(n).enumerated() { widths[i] = max(widths[i], c.count) } }
        let right = rightAligned ?? Set((0..<n).filter { i in
            rows.contains { $0.count > i && !$0[i].isEmpty } &&
            rows.allSatisfy { $0.count <= i || $0[i].isEmpty || alignAsNumber.contains($0[i]) || looksNumeric($0[i]) }
        })
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for i in 0..<n {
                let c = i < cells.count ? cells[i] : ""
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                parts.append(right.contains(i) ? pad + c : c + pad)
            }
            var s = parts.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out = line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }

    public func renderCSV() -> String {
        ([headers] + rows).map { $0.map(csvEscape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }
}

func looksNumeric(_ s: String) -> Bool {
    guard let f = s.first else { return false }
    return f.isNumber || ((f == "-" || f == "+" || f == ".") && s.count > 1)
}

public func csvEscape(_ s: String) -> String {
    if s.contains(",") || s.contains("\"") || s.contains("\n") {
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
}
