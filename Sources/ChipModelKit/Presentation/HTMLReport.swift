/// A report a person can share (`--html FILE`): one self-contained HTML page with the text
/// report's tables as HTML tables, its notes, ranges and assumptions as text, the charts inline
/// as SVG, and the spec values of the chips involved with their sources and confidence. No
/// script, no stylesheet or font from the network: it opens offline in any browser.
public struct HTMLReport: Sendable {
    /// One block of the text report: lines of text, or an aligned table.
    public enum Block: Sendable, Equatable {
        case text([String])
        case table(headers: [String], rows: [[String]], rightAligned: Set<Int>)
    }

    public var title: String
    /// The command line that made it (`chipmodel estimate --chip br166`).
    public var command: String
    /// The text report (`--format table` output) as printed.
    public var text: String
    /// Inline SVG charts (each a complete `<svg>` document), with a caption.
    public var charts: [(caption: String, svg: String)]
    /// The chips whose specs the report rests on.
    public var chips: [Chip]

    public init(title: String, command: String, text: String, charts: [(caption: String, svg: String)] = [], chips: [Chip] = []) {
        self.title = title
        self.command = command
        self.text = text
        self.charts = charts
        self.chips = chips
    }

    /// `&`, `<`, `>`, `"` and `'` escaped for text and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// The text report cut into blocks: a table is a header line, a dash line (`-----  ---`,
    /// what `TextTable` and `StreamingTextTable` print) and the rows after it whose column
    /// gaps are blank and that fit the table's width; everything else is text. Cells are the
    /// dash line's column spans, trimmed. A row that does not fit (a streamed cell wider than
    /// its first block's column) ends the table and stays as text, so nothing is lost.
    public static func blocks(_ text: String) -> [Block] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array(String($0)) }
        var blocks: [Block] = []
        var pending: [String] = []
        func flushText() {
            while pending.last?.isEmpty == true { pending.removeLast() }
            if !pending.isEmpty { blocks.append(.text(pending)) }
            pending = []
        }
        var i = 0
        while i < lines.count {
            if i + 1 < lines.count, let spans = columnSpans(lines[i + 1]), !lines[i].isEmpty {
                let header = cells(lines[i], spans)
                var rows: [[String]] = []
                var j = i + 2
                while j < lines.count, fits(lines[j], spans) {
                    rows.append(cells(lines[j], spans))
                    j += 1
                }
                flushText()
                let right = Set(spans.indices.filter { k in
                    rows.contains { !$0[k].isEmpty } && rows.allSatisfy { r in
                        r[k].isEmpty || r[k] == "-" || r[k].first.map { $0.isNumber || (($0 == "-" || $0 == "+") && r[k].count > 1) } == true
                    }
                })
                blocks.append(.table(headers: header, rows: rows, rightAligned: right))
                i = j
                continue
            }
            pending.append(String(lines[i]))
            i += 1
        }
        flushText()
        return blocks
    }

    /// The column spans of a dash line (`  -----  ---`), nil when the line is not one.
    static func columnSpans(_ line: [Character]) -> [Range<Int>]? {
        guard line.contains("-"), line.allSatisfy({ $0 == "-" || $0 == " " }) else { return nil }
        var spans: [Range<Int>] = []
        var k = 0
        while k < line.count {
            if line[k] == "-" {
                let start = k
                while k < line.count, line[k] == "-" { k += 1 }
                spans.append(start..<k)
            } else { k += 1 }
        }
        // Columns are two spaces apart; a single space inside the dashes is not a table.
        for (a, b) in zip(spans, spans.dropFirst()) where b.lowerBound - a.upperBound != 2 { return nil }
        return spans.count >= 2 ? spans : nil
    }

    static func fits(_ line: [Character], _ spans: [Range<Int>]) -> Bool {
        guard !line.isEmpty, let last = spans.last, line.count <= last.upperBound else { return false }
        if line.prefix(spans[0].lowerBound).contains(where: { $0 != " " }) { return false }
        for (a, b) in zip(spans, spans.dropFirst()) {
            for k in a.upperBound..<b.lowerBound where k < line.count && line[k] != " " { return false }
        }
        return true
    }

    static func cells(_ line: [Character], _ spans: [Range<Int>]) -> [String] {
        spans.map { s in
            guard s.lowerBound < line.count else { return "" }
            return String(line[s.lowerBound..<min(s.upperBound, line.count)]).trimmingCharacters(in: .whitespaces)
        }
    }

    /// The page.
    public func render() -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(Self.escape(title))</title>\n<style>\n\(Self.style)</style>\n</head>\n<body>\n"
        h += "<h1>\(Self.escape(title))</h1>\n"
        h += "<p class=\"command\"><code>\(Self.escape(command))</code></p>\n"
        h += "<section class=\"report\">\n<h2>Results</h2>\n"
        for b in Self.blocks(text) { h += Self.html(b) }
        h += "</section>\n"
        if !charts.isEmpty {
            h += "<section class=\"charts\">\n<h2>Charts</h2>\n"
            for c in charts {
                h += "<figure>\n\(Self.inlineSVG(c.svg))\n<figcaption>\(Self.escape(c.caption))</figcaption>\n</figure>\n"
            }
            h += "</section>\n"
        }
        if !chips.isEmpty { h += sourcesSection() }
        h += "<p class=\"footer\">Written by chipmodel. Every number above comes from the models and spec values named in the report; "
        h += "ranges are low-high over the chips' ranged (estimated or roadmap) spec values, each corner estimated in full, "
        h += "and bands \"with model error\" add the estimator's own cross-validated error.</p>\n"
        h += "</body>\n</html>\n"
        return h
    }

    static func html(_ b: Block) -> String {
        switch b {
        case let .text(lines):
            return "<pre>" + lines.map(escape).joined(separator: "\n") + "</pre>\n"
        case let .table(headers, rows, right):
            // A header may break after a slash ("tokens/s/<wbr>chip"): the widths go to the cells.
            func cell(_ tag: String, _ s: String, _ k: Int) -> String {
                let text = tag == "th" ? escape(s).replacingOccurrences(of: "/", with: "/<wbr>") : escape(s)
                return "<\(tag)\(right.contains(k) ? " class=\"num\"" : "")>\(text)</\(tag)>"
            }
            var s = "<table>\n<thead><tr>" + headers.enumerated().map { cell("th", $0.element, $0.offset) }.joined() + "</tr></thead>\n<tbody>\n"
            for r in rows { s += "<tr>" + r.enumerated().map { cell("td", $0.element, $0.offset) }.joined() + "</tr>\n" }
            return s + "</tbody>\n</table>\n"
        }
    }

    /// An SVG document without its XML declaration, to sit inside HTML.
    static func inlineSVG(_ svg: String) -> String {
        guard svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") else { return svg }
        return String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sourcesSection() -> String {
        var s = "<section class=\"sources\">\n<h2>Spec values and their sources</h2>\n"
        for chip in chips {
            s += "<h3>\(Self.escape(chip.name)) (<code>\(Self.escape(chip.id))</code>)</h3>\n"
            s += "<table>\n<thead><tr><th>key</th><th class=\"num\">value</th><th>range</th><th>confidence</th><th>source</th></tr></thead>\n<tbody>\n"
            for (key, v) in chip.allSpecValues {
                let range = v.hasRange ? "\(formatQuantity(v.low ?? v.nominal))-\(formatQuantity(v.high ?? v.nominal))" : ""
                var source = Self.escape(v.source.title)
                if let url = v.source.url, url.hasPrefix("https://") || url.hasPrefix("http://") {
                    source = "<a href=\"\(Self.escape(url))\">\(source)</a>"
                }
                if let note = v.note { source += " <span class=\"note\">(\(Self.escape(note)))</span>" }
                s += "<tr><td><code>\(Self.escape(key))</code></td><td class=\"num\">\(Self.escape(formatQuantity(v.nominal)))</td>"
                s += "<td>\(Self.escape(range))</td><td>\(Self.escape(v.confidence.rawValue))</td><td>\(source)</td></tr>\n"
            }
            s += "</tbody>\n</table>\n"
        }
        return s + "</section>\n"
    }

    static let style = """
    body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
    h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
    h3 { font-size: 1em; margin-top: 1.5em; }
    code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
    pre { white-space: pre-wrap; background: #f7f7f7; padding: 0.6em; border-radius: 4px; }
    table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
    th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
    th { background: #f0f0f0; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    tbody tr:nth-child(even) { background: #fafafa; }
    td:first-child { white-space: nowrap; } td:last-child:not(.num) { min-width: 10em; }
    figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: 0.85em; color: #555; }
    .command { color: #444; } .note { color: #666; } .footer { color: #666; font-size: 0.8em; margin-top: 3em; }

    """
}
