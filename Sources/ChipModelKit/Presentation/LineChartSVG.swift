import Foundation

/// One line of a chart: points (x, y) with an optional low/high band drawn shaded.
public struct LineChartSeries: Sendable {
    public struct Point: Sendable {
        public var x: Double
        public var y: Double
        public var low: Double?
        public var high: Double?
        /// A short annotation drawn next to the marker (e.g. the binding resource where it changes).
        public var label: String?
        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil, label: String? = nil) {
            self.x = x
            self.y = y
            self.low = low
            self.high = high
            self.label = label
        }
    }

    public var name: String
    public var points: [Point]

    public init(name: String, points: [Point]) {
        self.name = name
        self.points = points
    }
}

/// A self-contained SVG line chart (no scripts, no external fonts): one line per series with
/// markers, shaded ranges, labelled axes with units, a legend. The x axis is logarithmic when
/// asked or, by default, when the x values span more than a factor of 10. Non-finite points
/// are skipped, so the SVG never contains NaN.
public struct LineChartSVG: Sendable {
    public var title: String
    public var subtitle: String?
    public var xLabel: String
    public var yLabel: String
    public var series: [LineChartSeries]
    public var logX: Bool?
    public var width = 880.0
    public var height = 520.0

    public init(title: String, subtitle: String? = nil, xLabel: String, yLabel: String, series: [LineChartSeries], logX: Bool? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logX = logX
    }

    /// Colour-blind-safe palette (Okabe & Ito 2008).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    public func render() -> String {
        let pts = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = pts.map(\.x)
        let ys = pts.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] }.filter(\.isFinite)
        var xMin = xs.min() ?? 0, xMax = xs.max() ?? 1
        let useLog = logX ?? (xMin > 0 && xMax / xMin > 10)
        let logScale = useLog && xMin > 0
        if xMin == xMax { xMin -= xMin == 0 ? 1 : abs(xMin) * 0.1; xMax += xMax == 0 ? 1 : abs(xMax) * 0.1 }
        var yMin = min(0, ys.min() ?? 0), yMax = ys.max() ?? 1
        if yMax <= yMin { yMax = yMin + 1 }
        let yTicks = Self.niceTicks(yMin, yMax * 1.05)
        yMin = yTicks.first ?? yMin
        yMax = yTicks.last ?? yMax
        let xTicks: [Double]
        if logScale {
            xTicks = Self.logTicks(xMin, xMax)
        } else {
            xTicks = Self.niceTicks(xMin, xMax)
            xMin = min(xMin, xTicks.first ?? xMin)
            xMax = max(xMax, xTicks.last ?? xMax)
        }
        let left = 90.0, right = 210.0, bottom = 64.0
        // Text is measured as 0.6 x the font size per character (Helvetica's average is ~0.55).
        let subtitleLines = subtitle.map { Self.wrap($0, Int((width - left - 10) / (11 * Self.charWidth))) } ?? []
        let top = subtitleLines.isEmpty ? 50.0 : 54.0 + Double(subtitleLines.count) * 14
        // A series whose points equal an earlier one's (a swept parameter that changes nothing)
        // would hide under it: it is drawn dashed, without a second band or labels, and its
        // legend entry says which line it coincides with.
        let sameAs: [Int?] = series.indices.map { i in series.indices.first { $0 < i && Self.samePoints(series[$0], series[i]) } }
        // The k-th of m coinciding lines draws every m-th 8-px dash, shifted by k dashes: each
        // colour shows along the line, the first one's solid line in the remaining gaps.
        let dashes: [String] = series.indices.map { i in
            guard let base = sameAs[i] else { return "" }
            let m = 1 + sameAs.filter { $0 == base }.count, k = sameAs[..<i].filter { $0 == base }.count
            return " stroke-dasharray=\"8 \(8 * (m - 1))\" stroke-dashoffset=\"\(-8 * k)\""
        }
        // Legend: each name wrapped to the margin (never cut), one block per series.
        let legendChars = Int((right - 44 - 6) / (13 * Self.charWidth))
        let legendNames = series.indices.map { i in
            Self.wrap(series[i].name + (sameAs[i].map { " (dashed: the same line as \(series[$0].name))" } ?? ""), legendChars)
        }
        let hasBand = series.contains(where: { $0.points.contains { ($0.low ?? $0.y) != ($0.high ?? $0.y) } })
        let legendHeight = legendNames.reduce(0.0) { $0 + 8 + 15 * Double(max(1, $1.count)) } + (hasBand ? 48 : 0) + 10
        let height = max(self.height, top + bottom + legendHeight)
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double {
            if logScale {
                let lx = log10(max(x, 1e-300)), l0 = log10(xMin), l1 = log10(xMax)
                return left + (l1 > l0 ? (lx - l0) / (l1 - l0) : 0.5) * plotW
            }
            return left + (x - xMin) / (xMax - xMin) * plotW
        }
        func py(_ y: Double) -> Double { top + plotH - (y - yMin) / (yMax - yMin) * plotH }
        func f(_ v: Double) -> String { formatFixed(v, decimals: 1) }

        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="24" font-size="16" font-weight="bold">\(Self.escape(title))</text>

        """
        for (i, line) in subtitleLines.enumerated() {
            s += "<text x=\"\(f(left))\" y=\"\(f(42 + Double(i) * 14))\" font-size=\"11\" fill=\"#555\">\(Self.escape(line))</text>\n"
        }
        var placed: [Box] = []
        // Grid and ticks.
        for t in yTicks {
            let y = py(t)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>\n"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.escape(Self.tickLabel(t)))</text>\n"
        }
        var lastTickEnd = -Double.infinity
        for t in xTicks where t >= xMin * (1 - 1e-9) && t <= xMax * (1 + 1e-9) {
            let x = px(t)
            s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\" stroke=\"#e3e3e3\"/>\n"
            let label = Self.tickLabel(t), half = Self.textWidth(label, 13) / 2
            guard x - half > lastTickEnd + 4 else { continue }
            lastTickEnd = x + half
            s += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(Self.escape(label))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 18))\" text-anchor=\"middle\">\(Self.escape(xLabel + (logScale ? " (log scale)" : "")))</text>\n"
        s += "<text transform=\"translate(22 \(f(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        // Series: band, line, markers.
        for (i, ser) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let p = ser.points.filter { $0.x.isFinite && $0.y.isFinite && (!logScale || $0.x > 0) }.sorted { $0.x < $1.x }
            guard !p.isEmpty else { continue }
            let banded = p.filter { ($0.low ?? $0.y) != ($0.high ?? $0.y) }
            if !banded.isEmpty, sameAs[i] == nil, p.allSatisfy({ ($0.low ?? $0.y).isFinite && ($0.high ?? $0.y).isFinite }) {
                let upper = p.map { "\(f(px($0.x))),\(f(py($0.high ?? $0.y)))" }
                let lower = p.reversed().map { "\(f(px($0.x))),\(f(py($0.low ?? $0.y)))" }
                s += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"\(Self.bandOpacity)\" stroke=\"none\"/>\n"
            }
            let path = p.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            let dash = dashes[i]
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.2\"\(dash)/>\n"
            for q in p where sameAs[i] == nil {
                s += "<circle cx=\"\(f(px(q.x)))\" cy=\"\(f(py(q.y)))\" r=\"3.5\" fill=\"\(color)\"/>\n"
                if let label = q.label, let at = Self.place(label, near: (px(q.x), py(q.y)), in: (left, top, left + plotW, top + plotH), avoiding: &placed) {
                    s += "<text x=\"\(f(at.x))\" y=\"\(f(at.y))\" font-size=\"11\" fill=\"\(color)\"\(Self.halo)\(at.end ? " text-anchor=\"end\"" : "")>\(Self.escape(label))</text>\n"
                }
            }
        }
        // Legend: every series' name in full (wrapped), its line and marker, and its band's
        // swatch in the band's own colour and opacity when it has one.
        var ly = top + 10
        let lx = left + plotW + 16
        var firstBandColor: String?
        for (i, ser) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let banded = ser.points.contains { ($0.low ?? $0.y) != ($0.high ?? $0.y) }
            if banded, sameAs[i] == nil {
                firstBandColor = firstBandColor ?? color
                s += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 7))\" width=\"22\" height=\"14\" fill=\"\(color)\" fill-opacity=\"\(Self.bandOpacity)\"/>\n"
            }
            let dash = dashes[i]
            s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 22))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"2.2\"\(dash)/>\n"
            if sameAs[i] == nil { s += "<circle cx=\"\(f(lx + 11))\" cy=\"\(f(ly))\" r=\"3.5\" fill=\"\(color)\"/>\n" }
            for (k, line) in legendNames[i].enumerated() {
                s += "<text x=\"\(f(lx + 28))\" y=\"\(f(ly + 4 + Double(k) * 15))\">\(Self.escape(line))</text>\n"
            }
            ly += 8 + 15 * Double(max(1, legendNames[i].count))
        }
        if let color = firstBandColor {
            ly += 6
            s += "<rect class=\"band-swatch\" x=\"\(f(lx))\" y=\"\(f(ly - 7))\" width=\"22\" height=\"14\" fill=\"\(color)\" fill-opacity=\"\(Self.bandOpacity)\"/>\n"
            s += "<text x=\"\(f(lx + 28))\" y=\"\(f(ly + 4))\">shaded: range over</text>\n"
            s += "<text x=\"\(f(lx + 28))\" y=\"\(f(ly + 19))\">spec corners</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    /// True when two series have the same points (x, y and band), so one line would hide the other.
    static func samePoints(_ a: LineChartSeries, _ b: LineChartSeries) -> Bool {
        a.points.count == b.points.count && zip(a.points, b.points).allSatisfy {
            $0.x == $1.x && $0.y == $1.y && ($0.low ?? $0.y) == ($1.low ?? $1.y) && ($0.high ?? $0.y) == ($1.high ?? $1.y)
        }
    }

    /// A white outline under a label keeps it readable where it crosses a line or a band.
    static let halo = " stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\""

    /// Splits text into lines of at most `width` characters at spaces.
    static func wrap(_ text: String, _ width: Int) -> [String] {
        var lines: [String] = []
        var cur = ""
        for word in text.split(separator: " ") {
            if !cur.isEmpty, cur.count + 1 + word.count > width { lines.append(cur); cur = "" }
            cur += (cur.isEmpty ? "" : " ") + word
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines
    }

    /// Width of a character as a fraction of the font size (a sans-serif average, rounded up).
    static let charWidth = 0.6
    static let bandOpacity = "0.15"

    static func textWidth(_ s: String, _ size: Double) -> Double { Double(s.count) * size * charWidth }

    /// A text's box: x0, y0, x1, y1.
    typealias Box = (Double, Double, Double, Double)

    /// Where an 11-px label goes near a marker: to its upper right, else its upper left (at
    /// the plot's right edge), moved up or down in steps until it overlaps no label already
    /// placed and stays inside `plot`; nil when there is no such place (the label is left out:
    /// the table has it).
    static func place(_ label: String, near p: (Double, Double), in plot: (Double, Double, Double, Double),
                      avoiding placed: inout [Box], gap: Double = 6) -> (x: Double, y: Double, end: Bool)? {
        let w = textWidth(label, 11)
        for dy in [-7.0, 16, -20, 29, -33, 42, -46] {
            for end in [false, true] {
                let x = end ? p.0 - gap : p.0 + gap, y = p.1 + dy
                let box: Box = (end ? x - w : x, y - 9, end ? x : x + w, y + 3)
                guard box.0 >= plot.0 + 2, box.2 <= plot.2 - 2, box.1 >= plot.1 + 2, box.3 <= plot.3 - 2 else { continue }
                if placed.contains(where: { box.0 < $0.2 && $0.0 < box.2 && box.1 < $0.3 && $0.1 < box.3 }) { continue }
                placed.append(box)
                return (x, y, end)
            }
        }
        return nil
    }

    static func escape(_ s: String) -> String {
        var o = ""
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default: o.append(c)
            }
        }
        return o
    }

    /// Tick label: 1.5k / 2M style for large values, plain otherwise.
    static func tickLabel(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e9 { return formatQuantity(v / 1e9) + "G" }
        if a >= 1e6 { return formatQuantity(v / 1e6) + "M" }
        if a >= 1e4 { return formatQuantity(v / 1e3) + "k" }
        return formatQuantity(v)
    }

    /// About five round ticks (1, 2, 5 x 10^k steps) covering [lo, hi].
    static func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi > lo else { return [lo, lo + 1] }
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let start = floor(lo / step) * step
        var t: [Double] = []
        var v = start
        while v < hi + step * 0.5 && t.count < 50 {
            t.append(abs(v) < step * 1e-9 ? 0 : v)
            if v >= hi { break }
            v += step
        }
        return t
    }

    /// 1-2-5 ticks per decade when the range is under 3 decades, else decades.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo > 0, hi > lo else { return [lo] }
        let d0 = Int(floor(log10(lo))), d1 = Int(ceil(log10(hi)))
        let mult: [Double] = d1 - d0 <= 3 ? [1, 2, 5] : [1]
        var t: [Double] = []
        for d in d0...max(d0, d1) { for m in mult { t.append(m * pow(10, Double(d))) } }
        return t.filter { $0 >= lo * (1 - 1e-9) && $0 <= hi * (1 + 1e-9) }
    }
}
