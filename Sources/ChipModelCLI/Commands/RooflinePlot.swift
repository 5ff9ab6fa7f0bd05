import ChipModelKit
import Foundation

/// The `--svg` roofline plot, written with plain string building.
///
/// Log-log axes: x is arithmetic intensity (FLOP per byte of HBM traffic), y is attainable
/// TFLOP/s. Per chip: one horizontal compute ceiling per number format (the selected one
/// solid), the HBM slope, the SRAM slope (when the spec gives an on-chip bandwidth) and the
/// D2D slope (multi-die chips, per-direction bandwidth). The attainable envelope of the
/// selected format is sampled through the SIMD batch path. Operations are numbered markers at
/// their HBM intensity; an operation with D2D traffic also gets a hollow marker at its D2D
/// intensity (FLOP per byte crossing the link), as in a hierarchical roofline (Yang, Kurth
/// & Williams 2020, "Hierarchical Roofline analysis for GPUs").
enum RooflinePlot {
    static let palette = ["#1f5fa8", "#c8321e", "#1f8a3a", "#7a3fb0", "#d9770b", "#6b4a2f"]
    static let width = 1260.0, height = 700.0
    static let left = 90.0, top = 78.0, plotW = 760.0, plotH = 540.0

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func f(_ x: Double) -> String { formatFixed(x, decimals: 1) }

    /// `0.01`, `1`, `100`, `10k`, `1M`.
    static func tickLabel(_ e: Int) -> String {
        switch e {
        case ..<0: return "0." + String(repeating: "0", count: -e - 1) + "1"
        case 0...2: return "1" + String(repeating: "0", count: e)
        case 3...5: return "1" + String(repeating: "0", count: e - 3) + "k"
        case 6...8: return "1" + String(repeating: "0", count: e - 6) + "M"
        default: return "1e\(e)"
        }
    }

    /// An operation marker: circle, square, triangle, then diamond, by format index.
    static func marker(_ shape: Int, _ x: Double, _ y: Double, fill: String, stroke: String, title: String, size r: Double = 8) -> String {
        let style = "fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1.6\""
        let t = "<title>\(esc(title))</title>"
        switch shape % 4 {
        case 0: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" \(style)>\(t)</circle>\n"
        case 1: return "<rect x=\"\(f(x - r))\" y=\"\(f(y - r))\" width=\"\(f(2 * r))\" height=\"\(f(2 * r))\" \(style)>\(t)</rect>\n"
        case 2: return "<path d=\"M \(f(x)) \(f(y - r * 1.25)) L \(f(x + r * 1.2)) \(f(y + r * 0.85)) L \(f(x - r * 1.2)) \(f(y + r * 0.85)) Z\" \(style)>\(t)</path>\n"
        default: return "<path d=\"M \(f(x)) \(f(y - r * 1.3)) L \(f(x + r * 1.3)) \(f(y)) L \(f(x)) \(f(y + r * 1.3)) L \(f(x - r * 1.3)) \(f(y)) Z\" \(style)>\(t)</path>\n"
        }
    }

    static func svg(runs: [RooflineCommand.ChipRun], ops: [RooflineOpSpec], precision: NumberFormat) -> String {
        // --- ranges -------------------------------------------------------------------------
        var xs: [Double] = [], ys: [Double] = []
        for r in runs {
            let bw = r.device.memoryBytesPerSecond
            for c in r.computeCeilings { xs.append(c.sustainedFlops / bw); ys.append(c.sustainedFlops / 1e12) }
            for x in r.results where x.flops > 0 && x.seconds > 0 {
                if x.intensity.isFinite && x.intensity > 0 { xs.append(x.intensity) }
                if x.d2dBytesPerDirection > 0 { xs.append(x.flops / x.d2dBytesPerDirection) }
                ys.append(x.attainableFlops / 1e12)
            }
        }
        let xsF = xs.filter { $0.isFinite && $0 > 0 }, ysF = ys.filter { $0.isFinite && $0 > 0 }
        var x0 = Int((log10(xsF.min() ?? 0.1) - 0.3).rounded(.down)), x1 = Int((log10(xsF.max() ?? 1e4) + 0.3).rounded(.up))
        x0 = max(-4, min(x0, -1)); x1 = min(9, max(x1, x0 + 4, 3))
        var y1 = Int((log10(ysF.max() ?? 1000) + 0.15).rounded(.up)), y0 = Int((log10(ysF.min() ?? 1) - 0.3).rounded(.down))
        y1 = max(y1, 1); y0 = max(y1 - 7, min(y0, y1 - 3))
        let lx0 = Double(x0), lx1 = Double(x1), ly0 = Double(y0), ly1 = Double(y1)
        func px(_ x: Double) -> Double { left + (log10(x) - lx0) / (lx1 - lx0) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (log10(y) - ly0) / (ly1 - ly0) * plotH }
        let xMin = pow(10, lx0), xMax = pow(10, lx1)

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <defs><clipPath id="plot"><rect x="\(f(left))" y="\(f(top))" width="\(f(plotW))" height="\(f(plotH))"/></clipPath></defs>

        """
        // --- title --------------------------------------------------------------------------
        let chipIDs = runs.map(\.chip.id).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let names = chipIDs.count == 1 ? runs[0].chip.name : chipIDs.joined(separator: " vs ")
        let formats = runs.map(\.device.format).reduce(into: [NumberFormat]()) { if !$0.contains($1) { $0.append($1) } }
        let formatText = formats.map { $0.rawValue.uppercased() }.joined(separator: ", ")
        s += "<text x=\"\(f(left))\" y=\"30\" font-size=\"19\" font-weight=\"bold\">Roofline: \(esc(names))</text>\n"
        let emulated = runs.contains { $0.device.computeFormat != $0.device.format }
        s += "<text x=\"\(f(left))\" y=\"52\" font-size=\"13\" fill=\"#444\">\(formatText)\(emulated ? " (emulated where the chip lacks it)" : ""); sustained ceilings = vendor peak x family efficiency fraction; times and points from chipmodel roofline</text>\n"

        // --- grid and axes ------------------------------------------------------------------
        s += "<g stroke-width=\"1\">\n"
        for e in x0...x1 {
            let d = pow(10, Double(e))
            s += "<line x1=\"\(f(px(d)))\" y1=\"\(f(top))\" x2=\"\(f(px(d)))\" y2=\"\(f(top + plotH))\" stroke=\"#d0d0d0\"/>\n"
            if e < x1 { for m in 2...9 { let v = d * Double(m); s += "<line x1=\"\(f(px(v)))\" y1=\"\(f(top))\" x2=\"\(f(px(v)))\" y2=\"\(f(top + plotH))\" stroke=\"#f0f0f0\"/>\n" } }
            s += "<text x=\"\(f(px(d)))\" y=\"\(f(top + plotH + 20))\" font-size=\"13\" text-anchor=\"middle\">\(tickLabel(e))</text>\n"
        }
        for e in y0...y1 {
            let d = pow(10, Double(e))
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(d)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(d)))\" stroke=\"#d0d0d0\"/>\n"
            if e < y1 { for m in 2...9 { let v = d * Double(m); s += "<line x1=\"\(f(left))\" y1=\"\(f(py(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(v)))\" stroke=\"#f0f0f0\"/>\n" } }
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(d) + 4))\" font-size=\"13\" text-anchor=\"end\">\(tickLabel(e))</text>\n"
        }
        s += "</g>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 46))\" font-size=\"14\" text-anchor=\"middle\">Arithmetic intensity (FLOP per byte of HBM traffic)</text>\n"
        s += "<text transform=\"translate(\(f(left - 58)),\(f(top + plotH / 2))) rotate(-90)\" font-size=\"14\" text-anchor=\"middle\">Attainable performance (TFLOP/s, sustained)</text>\n"

        // --- ceilings -----------------------------------------------------------------------
        s += "<g clip-path=\"url(#plot)\" fill=\"none\">\n"
        var labels = ""
        var placed: [(x: Double, y: Double)] = []
        var texts = PlotTextBoxes()
        /// Right-aligned ceiling labels: moved left until no earlier label is within 12 px.
        func placeLabel(_ y: Double) -> Double {
            var x = left + plotW - 6
            while placed.contains(where: { abs($0.y - y) < 12 && abs($0.x - x) < 100 }) && x > left + 120 { x -= 105 }
            placed.append((x, y))
            return x
        }
        // Attainable envelopes of every (chip, format) run, sampled through the batch path:
        // one column set for all runs, 240 intensities each.
        let n = 240
        var cols = RooflineColumns()
        var intensities: [Double] = []
        for i in 0..<n { intensities.append(pow(10, lx0 + (lx1 - lx0) * Double(i) / Double(n - 1))) }
        for r in runs {
            for x in intensities {
                cols.append(flops: x, sustainedFlops: r.device.sustainedMatmulFlops, bytes: 1, bytesPerSecond: r.device.memoryBytesPerSecond,
                            sramBytes: 0, sramBytesPerSecond: .infinity, d2dBytes: 0, d2dBytesPerSecond: .infinity)
            }
        }
        let env = RooflineBatch.evaluate(cols)
        for (j, r) in runs.enumerated() {
            let color = palette[(chipIDs.firstIndex(of: r.chip.id) ?? 0) % palette.count]
            let pts = intensities.enumerated().map { i, x in "\(f(px(x)))," + f(py(x / env.seconds[j * n + i] / 1e12)) }.joined(separator: " ")
            s += "<polyline points=\"\(pts)\" stroke=\"\(color)\" stroke-width=\"7\" stroke-opacity=\"0.18\" stroke-linejoin=\"round\"/>\n"
        }
        // Ceilings once per chip; the formats evaluated on it are drawn solid.
        for (k, id) in chipIDs.enumerated() {
            let chipRuns = runs.filter { $0.chip.id == id }
            guard let r = chipRuns.first else { continue }
            let color = palette[k % palette.count]
            let d = r.device
            let bw = d.memoryBytesPerSecond
            let used = Set(chipRuns.map(\.device.computeFormat))
            // Compute ceilings, formats with equal peaks merged into one line.
            var groups: [(formats: [NumberFormat], sustained: Double)] = []
            for c in r.computeCeilings {
                if let g = groups.firstIndex(where: { $0.sustained == c.sustainedFlops }) { groups[g].formats.append(c.format) } else {
                    groups.append(([c.format], c.sustainedFlops))
                }
            }
            let topPeak = groups.map(\.sustained).max() ?? d.sustainedMatmulFlops
            for g in groups {
                let selected = g.formats.contains { used.contains($0) }
                let ridge = g.sustained / bw
                let y = py(g.sustained / 1e12)
                s += "<line x1=\"\(f(px(max(ridge, xMin))))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"\(color)\" "
                s += selected ? "stroke-width=\"2.5\"/>\n" : "stroke-width=\"1.2\" stroke-dasharray=\"7 4\" stroke-opacity=\"0.75\"/>\n"
                let name = g.formats.map(\.rawValue).joined(separator: "/")
                let text = "\(name) \(formatQuantity(g.sustained / 1e12))"
                if y > top + 8 && y < top + plotH - 4 {
                    let x = placeLabel(y)
                    if texts.claim(PlotTextBoxes.boxes(text, x: x, y: y - 4, size: 11, anchor: "end")) {
                        labels += "<text x=\"\(f(x))\" y=\"\(f(y - 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"\(color)\"\(selected ? " font-weight=\"bold\"" : "")>\(esc(text))</text>\n"
                    }
                }
            }
            func slope(_ bytesPerSecond: Double, _ dash: String?, _ label: String, at position: Double) {
                guard bytesPerSecond.isFinite, bytesPerSecond > 0 else { return }
                let xEnd = min(xMax, topPeak / bytesPerSecond)
                s += "<line x1=\"\(f(px(xMin)))\" y1=\"\(f(py(bytesPerSecond * xMin / 1e12)))\" x2=\"\(f(px(xEnd)))\" y2=\"\(f(py(bytesPerSecond * xEnd / 1e12)))\" stroke=\"\(color)\" stroke-width=\"\(dash == nil ? "2" : "1.6")\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>\n"
                // Label along the slope at a height that differs per chip and per ceiling,
                // so parallel slopes of several chips do not stack their labels.
                let yPix = top + plotH * min(0.92, position + 0.09 * Double(chipIDs.count - 1 - k))
                let ly = pow(10, ly0 + (top + plotH - yPix) / plotH * (ly1 - ly0))
                let lx = ly * 1e12 / bytesPerSecond
                if lx > xMin * 1.2 && lx < xEnd / 2 {
                    let angle = -atan(plotH / (ly1 - ly0) / (plotW / (lx1 - lx0))) * 180 / Double.pi
                    guard texts.claim(PlotTextBoxes.boxes(label, x: px(lx), y: py(ly) - 6, size: 11, angle: Double(f(angle)) ?? angle)) else { return }
                    labels += "<text transform=\"translate(\(f(px(lx))),\(f(py(ly) - 6))) rotate(\(f(angle)))\" font-size=\"11\" fill=\"\(color)\">\(esc(label))</text>\n"
                }
            }
            slope(bw, nil, "HBM \(formatQuantity(bw / 1e9)) GB/s", at: 0.42)
            slope(d.sramBytesPerSecond, "2 3", "SRAM \(formatQuantity(d.sramBytesPerSecond / 1e9)) GB/s", at: 0.52)
            if d.dies > 1 { slope(d.d2dBytesPerSecondPerDirection, "9 3 2 3", "D2D \(formatQuantity(d.d2dBytesPerSecondPerDirection / 1e9)) GB/s each way", at: 0.68) }
        }
        // Labels get a white halo so they stay readable where they cross lines.
        s += "</g>\n<g stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\">\n" + labels + "</g>\n"

        // --- operations ---------------------------------------------------------------------
        s += "<g font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\">\n"
        var skipped: [Int] = []
        for (k, r) in runs.enumerated() {
            let color = palette[(chipIDs.firstIndex(of: r.chip.id) ?? 0) % palette.count]
            let shape = formats.firstIndex(of: r.device.format) ?? 0
            for (i, x) in r.results.enumerated() {
                let y = x.attainableFlops / 1e12
                guard x.flops > 0, y > 0, x.intensity.isFinite, x.intensity > 0 else { if k == 0 { skipped.append(i + 1) }; continue }
                let tip = "\(r.chip.id) \(r.device.format.rawValue): \(x.operation.name): \(formatQuantity(y)) TFLOP/s, \(x.bound.rawValue)-bound"
                if x.d2dBytesPerDirection > 0 {
                    let dx = px(x.flops / x.d2dBytesPerDirection), dy = py(y)
                    s += marker(shape, dx, dy, fill: "white", stroke: color, title: tip + " (at its D2D intensity)")
                    if texts.claim(PlotTextBoxes.boxes("\(i + 1)", x: dx, y: dy + 3.5, size: 10, anchor: "middle")) {
                        s += "<text x=\"\(f(dx))\" y=\"\(f(dy + 3.5))\" fill=\"\(color)\">\(i + 1)</text>\n"
                    }
                }
                let cx = px(x.intensity), cy = py(y)
                s += marker(shape, cx, cy, fill: color, stroke: "white", title: tip)
                if texts.claim(PlotTextBoxes.boxes("\(i + 1)", x: cx, y: cy + 3.5, size: 10, anchor: "middle")) {
                    s += "<text x=\"\(f(cx))\" y=\"\(f(cy + 3.5))\" fill=\"white\">\(i + 1)</text>\n"
                }
            }
        }
        s += "</g>\n"

        // --- legend panel -------------------------------------------------------------------
        let lx = left + plotW + 30
        var ly = top + 4
        s += "<g font-size=\"12\">\n"
        s += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-weight=\"bold\" font-size=\"13\">Chips\(formats.count > 1 ? " (colour) and formats (marker)" : "")</text>\n"
        for (k, id) in chipIDs.enumerated() {
            guard let r = runs.first(where: { $0.chip.id == id }) else { continue }
            ly += 18
            let color = palette[k % palette.count]
            s += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 10))\" width=\"14\" height=\"10\" fill=\"\(color)\"/>"
            // Long marketing names wrap at word boundaries to stay on the canvas (0.6 x font size
            // per character, the layout tests' metric).
            let label = r.chip.name + (r.device.dies > 1 ? " (\(r.device.dies) dies)" : "")
            let maxChars = max(8, Int((Self.width - lx - 20 - 8) / (0.6 * 12)))
            for (j, line) in wrapWords(label, maxChars: maxChars).enumerated() {
                if j > 0 { ly += 14 }
                s += "<text x=\"\(f(lx + 20))\" y=\"\(f(ly))\">\(esc(line))</text>\n"
            }
        }
        if formats.count > 1 {
            for (k, fm) in formats.enumerated() {
                ly += 18
                s += marker(k, lx + 7, ly - 4, fill: "#333", stroke: "white", title: fm.rawValue, size: 6)
                s += "<text x=\"\(f(lx + 20))\" y=\"\(f(ly))\">\(fm.rawValue)\(runs.contains { $0.device.format == fm && $0.device.computeFormat != fm } ? " (emulated where missing)" : "")</text>\n"
            }
        }
        ly += 26
        s += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-weight=\"bold\" font-size=\"13\">Ceilings</text>\n"
        let hasSRAM = runs.contains { $0.device.sramBytesPerSecond.isFinite }, hasD2D = runs.contains { $0.device.dies > 1 }
        let styles: [(String, String)] = [
            ("stroke-width=\"2.5\"", "compute, \(formats.map(\.rawValue).joined(separator: "/"))\(emulated ? " (or emulated)" : "")"),
            ("stroke-width=\"1.2\" stroke-dasharray=\"7 4\"", "compute, other formats"),
            ("stroke-width=\"2\"", "HBM bandwidth"),
            (hasSRAM ? "stroke-width=\"1.6\" stroke-dasharray=\"2 3\"" : "", "SRAM bandwidth"),
            (hasD2D ? "stroke-width=\"1.6\" stroke-dasharray=\"9 3 2 3\"" : "", "D2D, per direction"),
            ("stroke-width=\"7\" stroke-opacity=\"0.18\"", "attainable, \(formats.map(\.rawValue).joined(separator: "/"))"),
        ]
        for (style, text) in styles where !style.isEmpty {
            ly += 18
            s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 34))\" y2=\"\(f(ly - 4))\" stroke=\"#333\" \(style)/>"
            s += "<text x=\"\(f(lx + 42))\" y=\"\(f(ly))\">\(esc(text))</text>\n"
        }
        ly += 18
        s += "<circle cx=\"\(f(lx + 17))\" cy=\"\(f(ly - 4))\" r=\"6\" fill=\"#333\"/><text x=\"\(f(lx + 42))\" y=\"\(f(ly))\">operation at its HBM intensity</text>\n"
        ly += 18
        if hasD2D { s += "<circle cx=\"\(f(lx + 17))\" cy=\"\(f(ly - 4))\" r=\"6\" fill=\"white\" stroke=\"#333\" stroke-width=\"1.6\"/><text x=\"\(f(lx + 42))\" y=\"\(f(ly))\">hollow: same, at its D2D intensity</text>\n" }
        if !hasSRAM {
            ly += 16
            s += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"11\" fill=\"#555\">no SRAM bandwidth in spec: no SRAM ceiling</text>\n"
        }
        ly += 26
        let main = runs.first
        s += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-weight=\"bold\" font-size=\"13\">Operations\(runs.count > 1 ? " (bound on \(esc(main?.chip.id ?? "")) \(main?.device.format.rawValue ?? ""))" : "")</text>\n"
        for (i, op) in ops.enumerated() {
            ly += 17
            guard ly < height - 8 else { break }
            let x = main?.results[i]
            let bound = x.map { " - \($0.bound.rawValue), \(RooflineCommand.formatSeconds($0.seconds))" } ?? ""
            let mark = skipped.contains(i + 1) ? " (not plotted: no FLOPs)" : ""
            s += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"11\"><tspan font-weight=\"bold\">\(i + 1)</tspan> \(esc(x?.operation.name ?? op.text))\(esc(bound))\(mark)</text>\n"
        }
        s += "</g>\n</svg>\n"
        return s
    }
}

/// `text` split at spaces into lines of at most `maxChars` characters (a longer word is cut).
func wrapWords(_ text: String, maxChars: Int) -> [String] {
    var lines: [String] = [], current = ""
    for word in text.split(separator: " ").map(String.init) {
        var w = word
        while w.count > maxChars {
            if !current.isEmpty { lines.append(current); current = "" }
            lines.append(String(w.prefix(maxChars)))
            w = String(w.dropFirst(maxChars))
        }
        if current.isEmpty { current = w } else if current.count + 1 + w.count <= maxChars { current += " " + w } else { lines.append(current); current = w }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}
