import ChipModelCLI
import ChipModelKit
import Foundation
import Testing

/// `--html FILE`: one self-contained page, well-formed, with every row of the text tables.
@Suite struct HTMLReportTests {
    /// Problems with the markup: unbalanced or misnested tags, a raw `&` or `<` in text, a
    /// script, or anything loaded from elsewhere. Empty when the page is well-formed.
    static func markupProblems(_ html: String) -> [String] {
        var problems: [String] = []
        let void: Set<String> = ["meta", "br", "wbr", "hr", "img", "link", "input"]
        var stack: [String] = []
        let re = try! NSRegularExpression(pattern: #"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>|<!DOCTYPE[^>]*>|<!--.*?-->"#,
                                          options: [.dotMatchesLineSeparators])
        let ns = html as NSString
        var last = 0
        for m in re.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let between = ns.substring(with: NSRange(location: last, length: m.range.location - last))
            if between.contains("<") || between.contains(">") { problems.append("raw < or > in text: \(between.prefix(80))") }
            if between.range(of: #"&(?![a-zA-Z]+;|#[0-9]+;)"#, options: .regularExpression) != nil { problems.append("raw & in text: \(between.prefix(80))") }
            last = m.range.location + m.range.length
            guard m.range(at: 2).location != NSNotFound else { continue }
            let name = ns.substring(with: m.range(at: 2)).lowercased()
            let closing = ns.substring(with: m.range(at: 1)) == "/"
            let selfClosing = ns.substring(with: m.range(at: 4)) == "/"
            if name == "script" || name == "iframe" || name == "object" { problems.append("<\(name)> in a page that must run no code") }
            let attrs = ns.substring(with: m.range(at: 3))
            if attrs.range(of: #"\b(src|srcset)\s*="#, options: .regularExpression) != nil { problems.append("external resource: <\(name)\(attrs)>") }
            if closing {
                if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> closes <\(stack.last ?? "nothing")>") }
            } else if !selfClosing, !void.contains(name) {
                stack.append(name)
            }
        }
        if !stack.isEmpty { problems.append("unclosed: \(stack)") }
        return problems
    }

    static func run(_ args: [String]) -> (code: Int32, context: CommandContext) {
        let ctx = CommandContext(currentDirectory: "/report", memoryFiles: [:])
        let code = ChipModelCLI.run(args, context: ctx)
        return (code, ctx)
    }

    static func page(_ ctx: CommandContext, _ name: String) throws -> String {
        String(decoding: try #require(ctx.memoryFiles?["/report/" + name]), as: UTF8.self)
    }

    /// Every table row of the text output appears as an HTML row (cells escaped, in order).
    static func expectEveryRow(_ text: String, in page: String) {
        let html = page.replacingOccurrences(of: "<wbr>", with: "")
        var rows = 0
        for block in HTMLReport.blocks(text) {
            guard case let .table(headers, cells, _) = block else { continue }
            for r in [headers] + cells {
                rows += 1
                let joined = r.map(HTMLReport.escape)
                var at = html.startIndex
                for c in joined {
                    guard let hit = html.range(of: ">" + c + "</t", range: at..<html.endIndex) else {
                        Issue.record("cell '\(c)' of row \(r) missing from the page"); break
                    }
                    at = hit.upperBound
                }
            }
        }
        #expect(rows > 2)
    }

    @Test func tablesAreCutAtTheDashLine() {
        var t = TextTable(headers: ["chip", "tokens/s", "note"])
        t.add(["a<b", "1,234 (1,000-1,500)", "x & y"])
        t.add(["c", "-", ""])
        let blocks = HTMLReport.blocks("head line\n" + t.renderText() + "a: 123 candidates searched in 4 ms\n\nlast")
        #expect(blocks.count == 3)
        guard case let .table(h, rows, right) = blocks[1] else { Issue.record("no table"); return }
        #expect(h == ["chip", "tokens/s", "note"])
        #expect(rows == [["a<b", "1,234 (1,000-1,500)", "x & y"], ["c", "-", ""]])
        #expect(right == [1])
        #expect(blocks[2] == .text(["a: 123 candidates searched in 4 ms", "", "last"]))
        let html = HTMLReport(title: "t <1>", command: "chipmodel x 'a b'", text: "x\n" + t.renderText()).render()
        #expect(Self.markupProblems(html).isEmpty, "\(Self.markupProblems(html))")
        #expect(html.contains("<td>a&lt;b</td>") && html.contains("x &amp; y"))
    }

    @Test func checkerCatchesBadMarkup() {
        #expect(!Self.markupProblems("<p><b>x</p></b>").isEmpty)
        #expect(!Self.markupProblems("<p>a < b</p>").isEmpty)
        #expect(!Self.markupProblems("<p>a & b</p>").isEmpty)
        #expect(!Self.markupProblems("<img src=\"http://x/y.png\">").isEmpty)
        #expect(Self.markupProblems("<svg><line x1=\"1\"/><text>a &amp; b</text></svg>").isEmpty)
    }

    @Test func roadmapPage() throws {
        let (code, ctx) = Self.run(["roadmap", "biren", "--roofline", "--html", "r.html"])
        #expect(code == 0, "\(ctx.stderr)")
        let html = try Self.page(ctx, "r.html")
        #expect(Self.markupProblems(html).isEmpty, "\(Self.markupProblems(html).prefix(5))")
        Self.expectEveryRow(ctx.stdout, in: html)
        #expect(html.contains("Spec values and their sources") && html.contains("vendor-official") || html.contains("estimated"))
        #expect(html.contains("ranges: low-high"))
    }

    @Test func whatIfPageHasItsChart() throws {
        let (code, ctx) = Self.run(["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline",
                                    "--vary", "memory.bandwidthGBps=1000,2000,4000", "--html", "w.html"])
        #expect(code == 0, "\(ctx.stderr)")
        let html = try Self.page(ctx, "w.html")
        #expect(Self.markupProblems(html).isEmpty, "\(Self.markupProblems(html).prefix(5))")
        Self.expectEveryRow(ctx.stdout, in: html)
        #expect(html.contains("<svg") && !html.contains("<?xml"))
    }

    /// With `--format csv|json` stdout is exactly the format asked for, and the page is the one
    /// the table run builds (every table row, the charts of the run).
    @Test(arguments: [
        ["roadmap", "biren", "--roofline"],
        ["whatif", "--from", "h100-sxm5-80gb", "--metric", "roofline", "--vary", "memory.bandwidthGBps=1000,2000,4000"],
        ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chip", "br166", "--svg", "s.svg"],
    ])
    func htmlBesideCSVAndJSON(_ args: [String]) throws {
        let (tcode, table) = Self.run(args + ["--html", "t.html"])
        #expect(tcode == 0, "\(table.stderr)")
        let tablePage = try Self.page(table, "t.html")
        for format in ["csv", "json"] {
            let (code, ctx) = Self.run(args + ["--html", "r.html", "--format", format])
            #expect(code == 0, "\(ctx.stderr)")
            let (plainCode, plain) = Self.run(args + ["--format", format])
            #expect(plainCode == 0 && ctx.stdout == plain.stdout, "stdout is the \(format) output, unchanged")
            #expect(ctx.stderr == plain.stderr, "the table run for the page is quiet")
            let html = try Self.page(ctx, "r.html")
            #expect(Self.markupProblems(html).isEmpty, "\(Self.markupProblems(html).prefix(5))")
            Self.expectEveryRow(table.stdout, in: html)
            #expect(html.components(separatedBy: "<svg").count == tablePage.components(separatedBy: "<svg").count, "the same charts")
            #expect(html.contains("--format " + format), "the page names the command as run")
        }
    }

    @Test func htmlNeedsASafeTarget() {
        let dir = CommandContext(currentDirectory: "/report", memoryFiles: ["/report/d/x": [1]])
        #expect(ChipModelCLI.run(["roadmap", "biren", "--roofline", "--html", "d"], context: dir) == 73)
    }
}
