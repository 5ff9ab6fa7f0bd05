import Foundation

/// The serving chart of `estimate --inference --svg`: throughput per chip against latency, one
/// line per chip (its batch sweep), the latency bounds in force as reference lines, and the
/// operating point each estimate chose (the table's row) marked and labelled.
extension InferenceReport {
    /// Throughput per chip (y) against TPOT (LLM) or batch latency (encoder/CNN) (x), one line per
    /// chip, as a plain SVG document. `bounds` (`ServingBoundInForce.inForce`) on the x quantity are
    /// drawn as dashed vertical lines; the others are named in the legend. Sweep points that break
    /// a bound are hollow; each chip's chosen point is a diamond labelled with its batch and throughput.
    public static func svg(_ outcomes: [InferenceRunResult], model: ModelSpec, scenario: InferenceScenario,
                           bounds: [ServingBoundInForce] = []) -> String {
        let ests = outcomes.compactMap(\.nominal)
        let llm = model.isDecoder
        let cw = LineChartSVG.charWidth
        let W = 880.0, left = 80.0, right = 270.0, top = 44.0, bottom = 60.0
        let pw = W - left - right
        let lx = left + pw + 16, textX = lx + 30
        let legendChars = Int((W - textX - 6) / (12 * cw))
        func xOf(_ r: InferenceSweepRow) -> Double? { llm ? r.tpotMs : r.latencyMs }
        func chosen(_ e: InferenceEstimate) -> (x: Double, y: Double)? {
            guard let x = llm ? e.tpotMs : e.latencyMs, let y = perChip(e), x.isFinite, x > 0, y.isFinite else { return nil }
            return (x, y)
        }
        var xs: [Double] = [], ys: [Double] = []
        for e in ests {
            for r in e.sweep {
                if let x = xOf(r), x.isFinite, x > 0 { xs.append(x) }
                let y = r.throughput / Double(e.chips)
                if y.isFinite { ys.append(y) }
            }
            if let p = chosen(e) { xs.append(p.x); ys.append(p.y) }
        }
        // A bound on the x quantity is drawn when it lies within 4x of the data (else the curves
        // would be squeezed into a corner); beyond that the legend says where it is.
        let onX = bounds.filter { $0.quantity == (llm ? .tpot : .latency) }
        let dataMax = xs.max() ?? 1
        let drawn = onX.filter { $0.ms <= 4 * dataMax }
        var xMax = niceCeil(max(dataMax, drawn.map(\.ms).max() ?? 0))
        if drawn.contains(where: { $0.ms >= xMax * 0.97 }) { xMax = niceCeil(xMax * 1.05) }
        let yMax = niceCeil(ys.max() ?? 1)
        // Logarithmic x when the latencies span more than two decades (encoder/CNN batch sweeps).
        let xLow = min(xs.min() ?? 1, drawn.map(\.ms).min() ?? .infinity)
        var xMin = 1.0
        while xMin * 10 <= xLow { xMin *= 10 }
        while xMin > xLow { xMin /= 10 }
        let logX = xMax / xMin > 100

        // Legend entries: (swatch kind, colour, wrapped lines).
        enum Swatch { case line, diamond, hollow, dashed, none }
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
        var legend: [(Swatch, String, [String])] = []
        for (i, e) in ests.enumerated() {
            legend.append((.line, colors[i % colors.count], LineChartSVG.wrap("\(e.chipID) (\(shortFormats(e)), tp\(e.plan.tp) pp\(e.plan.pp))", legendChars)))
        }
        if ests.contains(where: { chosen($0) != nil }) {
            let what = scenario == .server ? "chosen operating point (p99 at the highest rate meeting the bounds; the line is the batch sweep)"
                : "chosen operating point (the table's row)"
            legend.append((.diamond, "#555", LineChartSVG.wrap(what, legendChars)))
        }
        if ests.contains(where: { $0.sweep.contains { !$0.meetsBounds } }) {
            legend.append((.hollow, "#555", LineChartSVG.wrap("sweep point breaking a bound", legendChars)))
        }
        for b in bounds {
            let isDrawn = drawn.contains(b)
            let note = isDrawn ? "" : onX.contains(b) ? " (right of the plot)" : " (not on this axis)"
            legend.append((isDrawn ? .dashed : .none, "#444", LineChartSVG.wrap(b.label + note, legendChars)))
        }
        let legendHeight = legend.reduce(10.0) { $0 + 8 + 15 * Double(max(1, $1.2.count)) }
        let H = max(480, top + bottom + legendHeight)
        let ph = H - top - bottom
        func px(_ x: Double) -> Double {
            if logX { return left + (log10(max(x, xMin)) - log10(xMin)) / (log10(xMax) - log10(xMin)) * pw }
            return left + x / xMax * pw
        }
        func py(_ y: Double) -> Double { top + ph - y / yMax * ph }
        let esc = LineChartSVG.escape
        func n(_ x: Double) -> String { formatFixed(x, decimals: 1) }
        // Three significant digits, 1.2k style: a label, not the table's number.
        func short(_ x: Double) -> String {
            guard x.isFinite, x != 0 else { return formatQuantity(x) }
            let m = pow(10, floor(log10(abs(x))) - 2)
            return LineChartSVG.tickLabel((x / m).rounded() * m)
        }
        // A white outline under a label keeps it readable where it crosses a line.
        let halo = " stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\""
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(n(left))\" y=\"24\" font-size=\"15\" font-weight=\"bold\">\(esc("\(model.name): \(scenario.rawValue) throughput vs latency"))</text>\n"
        var xTicks: [Double] = []
        if logX {
            var t = xMin
            while t <= xMax * 1.0001 { xTicks.append(t); t *= 10 }
        } else {
            xTicks = (0...5).map { xMax * Double($0) / 5 }
        }
        for fx in xTicks {
            s += "<line x1=\"\(n(px(fx)))\" y1=\"\(n(top))\" x2=\"\(n(px(fx)))\" y2=\"\(n(top + ph))\" stroke=\"#e3e3e3\"/>\n"
            s += "<text x=\"\(n(px(fx)))\" y=\"\(n(top + ph + 18))\" text-anchor=\"middle\">\(LineChartSVG.tickLabel(fx))</text>\n"
        }
        for i in 0...5 {
            let fy = yMax * Double(i) / 5
            s += "<line x1=\"\(n(left))\" y1=\"\(n(py(fy)))\" x2=\"\(n(left + pw))\" y2=\"\(n(py(fy)))\" stroke=\"#e3e3e3\"/>\n"
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(fy) + 4))\" text-anchor=\"end\">\(LineChartSVG.tickLabel(fy))</text>\n"
        }
        s += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(pw))\" height=\"\(n(ph))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(n(left + pw / 2))\" y=\"\(n(H - 18))\" text-anchor=\"middle\">\(llm ? "TPOT (ms per output token)" : "batch latency (ms)")\(logX ? ", log scale" : "")</text>\n"
        s += "<text transform=\"translate(22 \(n(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(llm ? "generated tokens/s per chip" : "samples/s per chip")</text>\n"
        // Bounds: a dashed line each, labelled at the top of the plot beside the line.
        var placed: [LineChartSVG.Box] = []
        for (k, b) in drawn.enumerated() {
            let x = px(b.ms), y = top + 16 + Double(k) * 15
            s += "<line class=\"bound\" x1=\"\(n(x))\" y1=\"\(n(top))\" x2=\"\(n(x))\" y2=\"\(n(top + ph))\" stroke=\"#444\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            let w = LineChartSVG.textWidth(b.label, 11)
            let end = x + 4 + w > left + pw - 2
            let tx = end ? x - 4 : x + 4
            placed.append((end ? tx - w : tx, y - 9, end ? tx : tx + w, y + 3))
            s += "<text x=\"\(n(tx))\" y=\"\(n(y))\" font-size=\"11\" fill=\"#444\"\(halo)\(end ? " text-anchor=\"end\"" : "")>\(esc(b.label))</text>\n"
        }
        for (i, e) in ests.enumerated() {
            let c = colors[i % colors.count]
            var pts: [(x: Double, y: Double, ok: Bool)] = []
            for r in e.sweep {
                guard let x = xOf(r), x.isFinite, x > 0 else { continue }
                let y = r.throughput / Double(e.chips)
                guard y.isFinite else { continue }
                pts.append((px(x), py(y), r.meetsBounds))
            }
            if !pts.isEmpty {
                s += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\" points=\"\(pts.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " "))\"/>\n"
                for p in pts {
                    s += p.ok ? "<circle cx=\"\(n(p.x))\" cy=\"\(n(p.y))\" r=\"2.5\" fill=\"\(c)\"/>\n"
                        : "<circle cx=\"\(n(p.x))\" cy=\"\(n(p.y))\" r=\"3\" fill=\"white\" stroke=\"\(c)\" stroke-width=\"1.5\"/>\n"
                }
            }
        }
        // The chosen points last (on top), each labelled where a place is free.
        // Labels keep off every diamond, not only off each other.
        for e in ests { if let p = chosen(e) { placed.append((px(p.x) - 8, py(p.y) - 8, px(p.x) + 8, py(p.y) + 8)) } }
        for (i, e) in ests.enumerated() {
            guard let p = chosen(e) else { continue }
            let c = colors[i % colors.count], x = px(p.x), y = py(p.y)
            s += "<polygon class=\"operating-point\" points=\"\(n(x)),\(n(y - 7)) \(n(x + 7)),\(n(y)) \(n(x)),\(n(y + 7)) \(n(x - 7)),\(n(y))\" fill=\"\(c)\" stroke=\"black\" stroke-width=\"1.2\"/>\n"
            let label = "batch \(e.plan.batch): \(short(p.y)) \(llm ? "tok" : "samples")/s/chip at \(short(p.x)) ms"
            if let at = LineChartSVG.place(label, near: (x, y), in: (left, top, left + pw, top + ph), avoiding: &placed, gap: 9) {
                s += "<text x=\"\(n(at.x))\" y=\"\(n(at.y))\" font-size=\"11\" fill=\"\(c)\"\(halo)\(at.end ? " text-anchor=\"end\"" : "")>\(esc(label))</text>\n"
            }
        }
        var ly = top + 10
        for (kind, c, lines) in legend {
            switch kind {
            case .line:
                s += "<line x1=\"\(n(lx))\" y1=\"\(n(ly))\" x2=\"\(n(lx + 22))\" y2=\"\(n(ly))\" stroke=\"\(c)\" stroke-width=\"3\"/>\n"
            case .diamond:
                s += "<polygon points=\"\(n(lx + 11)),\(n(ly - 6)) \(n(lx + 17)),\(n(ly)) \(n(lx + 11)),\(n(ly + 6)) \(n(lx + 5)),\(n(ly))\" fill=\"\(c)\" stroke=\"black\" stroke-width=\"1.2\"/>\n"
            case .hollow:
                s += "<circle cx=\"\(n(lx + 11))\" cy=\"\(n(ly))\" r=\"3\" fill=\"white\" stroke=\"\(c)\" stroke-width=\"1.5\"/>\n"
            case .dashed:
                s += "<line x1=\"\(n(lx))\" y1=\"\(n(ly))\" x2=\"\(n(lx + 22))\" y2=\"\(n(ly))\" stroke=\"\(c)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            case .none: break
            }
            for (k, line) in lines.enumerated() {
                s += "<text x=\"\(n(textX))\" y=\"\(n(ly + 4 + Double(k) * 15))\">\(esc(line))</text>\n"
            }
            ly += 8 + 15 * Double(max(1, lines.count))
        }
        s += "</svg>\n"
        return s
    }
}
