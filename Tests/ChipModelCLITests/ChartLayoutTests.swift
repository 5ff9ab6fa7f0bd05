import ChipModelCLI
import ChipModelKit
import Foundation
import Testing

/// Every chart kind rendered through its command, its text elements measured with a font-metric
/// approximation (each character 0.6 x the font size wide, the box from 0.8 x the size above the
/// baseline to 0.25 below): no text may run off the canvas or overlap another text.
@Suite struct ChartLayoutTests {
    struct TextBox: CustomStringConvertible {
        var text: String
        var x0: Double, y0: Double, x1: Double, y1: Double
        /// Text rotated by an angle other than -90 degrees: one box per character along the baseline.
        var parts: [TextBox]? = nil
        var description: String { "'\(text)' [\(Int(x0)),\(Int(y0))-\(Int(x1)),\(Int(y1))]" }
        func overlaps(_ o: TextBox) -> Bool {
            if let p = parts { return p.contains { $0.overlaps(o) } }
            if let p = o.parts { return p.contains { overlaps($0) } }
            return x0 < o.x1 - 0.5 && o.x0 < x1 - 0.5 && y0 < o.y1 - 0.5 && o.y0 < y1 - 0.5
        }
    }

    static func attribute(_ name: String, _ tag: String) -> String? {
        guard let r = tag.range(of: #"\b\#(name)="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(tag[r].dropFirst(name.count + 2).dropLast())
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The text boxes of an SVG document, and its canvas size.
    static func boxes(_ svg: String) -> (width: Double, height: Double, boxes: [TextBox]) {
        let root = svg.range(of: "<svg[^>]*>", options: .regularExpression).map { String(svg[$0]) } ?? ""
        let width = Double(attribute("width", root) ?? "") ?? 0, height = Double(attribute("height", root) ?? "") ?? 0
        let baseSize = Double(attribute("font-size", root) ?? "") ?? 12
        let re = try! NSRegularExpression(pattern: #"<text([^>]*)>([^<]*)</text>"#)
        let ns = svg as NSString
        var out: [TextBox] = []
        for m in re.matches(in: svg, range: NSRange(location: 0, length: ns.length)) {
            let tag = ns.substring(with: m.range(at: 1)), text = unescape(ns.substring(with: m.range(at: 2)))
            guard !text.isEmpty else { continue }
            let size = Double(attribute("font-size", tag) ?? "") ?? baseSize
            let w = 0.6 * size * Double(text.count)
            var x = Double(attribute("x", tag) ?? "0") ?? 0, y = Double(attribute("y", tag) ?? "0") ?? 0
            var rotated = false
            var angle: Double?
            if let t = attribute("transform", tag), let tr = t.range(of: #"translate\(([-0-9.]+)[ ,]+([-0-9.]+)\)"#, options: .regularExpression) {
                let nums = t[tr].dropFirst("translate(".count).dropLast().split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
                if nums.count == 2 { x = nums[0]; y = nums[1] }
                rotated = t.contains("rotate(-90)")
                if !rotated, let rr = t.range(of: #"rotate\(([-0-9.]+)\)"#, options: .regularExpression) {
                    angle = Double(t[rr].dropFirst("rotate(".count).dropLast())
                }
            }
            let anchor = attribute("text-anchor", tag) ?? "start"
            let start = anchor == "middle" ? -w / 2 : anchor == "end" ? -w : 0
            if let a = angle, a != 0 {
                let (c, s) = (cos(a * .pi / 180), sin(a * .pi / 180)), cw = 0.6 * size
                let parts = (0..<text.count).map { k -> TextBox in
                    let d = start + (Double(k) + 0.5) * cw
                    let (cx, cy) = (x + d * c + 0.3 * size * s, y + d * s - 0.3 * size * c)
                    return TextBox(text: text, x0: cx - cw / 2, y0: cy - 0.5 * size, x1: cx + cw / 2, y1: cy + 0.5 * size)
                }
                out.append(TextBox(text: text, x0: parts.map(\.x0).min()!, y0: parts.map(\.y0).min()!,
                                   x1: parts.map(\.x1).max()!, y1: parts.map(\.y1).max()!, parts: parts))
            } else if rotated {  // reading upwards: the run lies along -y, the glyphs' height along -x
                out.append(TextBox(text: text, x0: x - 0.8 * size, y0: y - start - w, x1: x + 0.25 * size, y1: y - start))
            } else {
                out.append(TextBox(text: text, x0: x + start, y0: y - 0.8 * size, x1: x + start + w, y1: y + 0.25 * size))
            }
        }
        return (width, height, out)
    }

    /// Problems: a text off the canvas, or two texts overlapping.
    static func layoutProblems(_ svg: String) -> [String] {
        let (w, h, b) = boxes(svg)
        var problems: [String] = []
        if w <= 0 || h <= 0 { problems.append("no canvas size") }
        for x in b where x.x0 < 0 || x.y0 < 0 || x.x1 > w || x.y1 > h { problems.append("off the \(Int(w))x\(Int(h)) canvas: \(x)") }
        for i in b.indices { for j in b.indices where j > i && b[i].overlaps(b[j]) { problems.append("overlap: \(b[i]) and \(b[j])") } }
        return problems
    }

    static func svg(_ args: [String], file: String = "c.svg") throws -> String {
        let ctx = CommandContext(currentDirectory: "/charts", memoryFiles: [:])
        let code = ChipModelCLI.run(args, context: ctx)
        #expect(code == 0, "\(args): \(ctx.stderr)")
        return String(decoding: try #require(ctx.memoryFiles?["/charts/" + file]), as: UTF8.self)
    }

    @Test func checkerFindsOverlapsAndOverflow() {
        let bad = """
        <svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" font-size="12">
        <text x="10" y="20">first label here</text><text x="30" y="24">second</text><text x="150" y="60">runs off the edge</text>
        </svg>
        """
        #expect(Self.layoutProblems(bad).count == 2, "\(Self.layoutProblems(bad))")
        #expect(Self.boxes(bad).boxes.count == 3)
    }

    /// A two-axis sweep: one line per chip and second-axis value, each named in full.
    @Test func whatIfGridChart() throws {
        let s = try Self.svg(["whatif", "--from", "br166", "--from", "a100-sxm4-80gb", "--metric", "roofline",
                              "--vary", "memory.bandwidthGBps=1000..8000*2", "--vary", "d2d.bandwidthGBps=448,896,1792", "--svg", "c.svg"])
        #expect(Self.layoutProblems(s).isEmpty, "\(Self.layoutProblems(s).prefix(6))")
        let texts = Self.boxes(s).boxes.map(\.text)
        #expect(!texts.contains { $0.contains("…") }, "a legend entry is truncated")
        #expect(texts.contains("HBM bandwidth (GB/s), log scale") || texts.contains { $0.hasPrefix("HBM bandwidth (GB/s)") }, "\(texts)")
        let all = texts.joined(separator: " ")
        for v in ["448", "896", "1792"] { #expect(all.contains("br166, D2D bandwidth \(v) GB/s") && all.contains("a100-sxm4-80gb, D2D bandwidth \(v) GB/s"), "\(v): \(texts)") }
        // The roofline does not depend on D2D here: each chip's three lines coincide. The later
        // two are dashed (one band per chip, not three stacked into another colour) and say so.
        #expect(s.components(separatedBy: "<polygon").count - 1 == 1, "br166's band once (a100 has no ranged specs)")
        #expect(s.components(separatedBy: "<polyline").filter { $0.hasPrefix(" ") && $0.prefix(while: { $0 != ">" }).contains("stroke-dasharray") }.count == 4)
        #expect(all.contains("(dashed: the same line as br166, D2D bandwidth 448 GB/s)"), "\(texts)")
    }

    /// The range band's legend swatch is drawn in the colour and opacity of the band itself.
    @Test func bandSwatchMatchesTheBand() throws {
        let s = try Self.svg(["whatif", "--from", "br166", "--metric", "roofline", "--vary", "memory.bandwidthGBps=1000,2000,4000", "--svg", "c.svg"])
        let polygon = try #require(s.range(of: "<polygon[^>]*>", options: .regularExpression).map { String(s[$0]) })
        let swatch = try #require(s.range(of: "<rect[^>]*class=\"band-swatch\"[^>]*>", options: .regularExpression).map { String(s[$0]) })
        #expect(Self.attribute("fill", polygon) == Self.attribute("fill", swatch))
        #expect(Self.attribute("fill-opacity", polygon) == Self.attribute("fill-opacity", swatch))
        #expect(Self.layoutProblems(s).isEmpty, "\(Self.layoutProblems(s).prefix(6))")
    }

    @Test func servingChart() throws {
        let s = try Self.svg(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chip", "br166", "--svg", "c.svg"])
        #expect(Self.layoutProblems(s).isEmpty, "\(Self.layoutProblems(s).prefix(6))")
    }

    /// The latency bounds in force are reference lines labelled with value and unit (or named in
    /// the legend when the x axis is another quantity), and each chip's chosen operating point
    /// is a marker with a label, in the legend too; nothing overlaps or runs off the canvas.
    @Test(arguments: [
        (["--scenario", "server", "--chip", "h100-sxm5-80gb", "--chip", "br166"], "p99 TPOT bound 200 ms", "p99 TTFT bound 2000 ms"),
        (["--chip", "h100-sxm5-80gb", "--chip", "br166", "--chip", "a100-sxm4-80gb", "--tpot-ms", "50"], "TPOT bound 50 ms", nil),
        (["--model", "resnet50-v1.5", "--scenario", "server", "--chip", "h100-sxm5-80gb", "--chip", "br166"], "p99 latency bound 15 ms", nil),
    ] as [([String], String, String?)])
    func servingChartBoundsAndOperatingPoints(_ args: [String], line: String, legendOnly: String?) throws {
        let s = try Self.svg(["estimate", "--inference"] + args + ["--svg", "c.svg"])
        #expect(Self.layoutProblems(s).isEmpty, "\(Self.layoutProblems(s).prefix(6))")
        let texts = Self.boxes(s).boxes.map(\.text)
        #expect(texts.filter { $0 == line }.count == 2, "the bound on the line and in the legend: \(texts)")
        #expect(s.components(separatedBy: "class=\"bound\"").count == 2, "one dashed bound line")
        if let legendOnly { #expect(texts.joined(separator: " ").contains(legendOnly + " (not on this axis)"), "\(texts)") }
        #expect(s.components(separatedBy: "class=\"operating-point\"").count - 1 == args.filter { $0 == "--chip" }.count, "one marker per chip")
        #expect(texts.contains { $0.hasPrefix("chosen operating point") }, "in the legend: \(texts)")
        #expect(texts.contains { $0.hasPrefix("batch ") && $0.contains("/s/chip at ") && $0.hasSuffix(" ms") }, "a labelled point: \(texts)")
    }

    @Test func servingBoundsInForce() throws {
        let llm = try ModelZoo.builtIn().model("llama3-70b")
        #expect(ServingBoundInForce.inForce(InferenceRun(model: llm)).isEmpty, "offline: only the user's bounds")
        #expect(ServingBoundInForce.inForce(InferenceRun(model: llm, scenario: .server)).map(\.label)
            == ["p99 TPOT bound \(formatQuantity(StandardRunDefaults.serverTPOTBoundMs)) ms", "p99 TTFT bound \(formatQuantity(StandardRunDefaults.serverTTFTBoundMs)) ms"])
        var decode = InferenceRun(model: llm, scenario: .server, tpotBoundMs: 80)
        decode.phase = .decode
        #expect(ServingBoundInForce.inForce(decode).map(\.label) == ["p99 TPOT bound 80 ms"], "decode-only has no TTFT")
        let bert = try ModelZoo.builtIn().model("bert-large")
        #expect(ServingBoundInForce.inForce(InferenceRun(model: bert, scenario: .server)).map(\.label) == ["p99 latency bound 130 ms"])
        #expect(ServingBoundInForce.inForce(InferenceRun(model: bert, ttftBoundMs: 20)).isEmpty, "an encoder offline keeps no bound")
    }

    @Test func efficiencyScatter() throws {
        let s = try Self.svg(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chip", "br166", "--chip", "a100-sxm4-80gb",
                              "--energy-svg", "c.svg"])
        #expect(Self.layoutProblems(s).isEmpty, "\(Self.layoutProblems(s).prefix(6))")
    }

    /// A chip without a value (br20x has no price) is named on the chart, not left out silently.
    @Test func costScatterNamesTheChipsItCannotPlot() throws {
        let s = try Self.svg(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chip", "br20x", "--cost-svg", "c.svg"])
        #expect(Self.layoutProblems(s).isEmpty, "\(Self.layoutProblems(s).prefix(6))")
        #expect(Self.boxes(s).boxes.map(\.text).contains("not plotted (no value): br20x"))
    }

    @Test func rooflineComparison() throws {
        let s = try Self.svg(["roofline", "h100-sxm5-80gb", "--compare", "br166", "--compare", "a100-sxm4-80gb", "--svg", "c.svg"])
        #expect(Self.layoutProblems(s).isEmpty, "\(Self.layoutProblems(s).prefix(6))")
    }
}
