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
        let left = 90.0, right = 200.0, top = subtitle == nil ? 50.0 : 82.0, bottom = 64.0
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
        if let subtitle {
            for (i, line) in Self.wrap(subtitle, 125).prefix(2).enumerated() {
                s += "<text x=\"\(f(left))\" y=\"\(f(42 + Double(i) * 14))\" font-size=\"11\" fill=\"#555\">\(Self.escape(line))</text>\n"
            }
        }
        // Grid and ticks.
        for t in yTicks {
            let y = py(t)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>\n"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.escape(Self.tickLabel(t)))</text>\n"
        }
        for t in xTicks where t >= xMin * (1 - 1e-9) && t <= xMax * (1 + 1e-9) {
            let x = px(t)
            s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH))\" stroke=\"#e3e3e3\"/>\n"
            s += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(Self.escape(Self.tickLabel(t)))</text>\n"
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
            if !banded.isEmpty, p.allSatisfy({ ($0.low ?? $0.y).isFinite && ($0.high ?? $0.y).isFinite }) {
                let upper = p.map { "\(f(px($0.x))),\(f(py($0.high ?? $0.y)))" }
                let lower = p.reversed().map { "\(f(px($0.x))),\(f(py($0.low ?? $0.y)))" }
                s += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let path = p.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.2\"/>\n"
            for q in p {
                s += "<circle cx=\"\(f(px(q.x)))\" cy=\"\(f(py(q.y)))\" r=\"3.5\" fill=\"\(color)\"/>\n"
                if let label = q.label {
                    s += "<text x=\"\(f(px(q.x) + 6))\" y=\"\(f(py(q.y) - 7))\" font-size=\"11\" fill=\"\(color)\">\(Self.escape(label))</text>\n"
                }
            }
            // Legend entry.
            let ly = top + 10 + Double(i) * 22
            let lx = left + plotW + 16
            s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 22))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"2.2\"/>\n"
            s += "<circle cx=\"\(f(lx + 11))\" cy=\"\(f(ly))\" r=\"3.5\" fill=\"\(color)\"/>\n"
            s += "<text x=\"\(f(lx + 28))\" y=\"\(f(ly + 4))\">\(Self.escape(Self.shorten(ser.name, 20)))</text>\n"
        }
        if series.contains(where: { $0.points.contains { ($0.low ?? $0.y) != ($0.high ?? $0.y) } }) {
            let ly = top + 10 + Double(series.count) * 22 + 6
            s += "<rect x=\"\(f(left + plotW + 16))\" y=\"\(f(ly - 7))\" width=\"22\" height=\"14\" fill=\"#888\" fill-opacity=\"0.25\"/>\n"
            s += "<text x=\"\(f(left + plotW + 44))\" y=\"\(f(ly + 4))\">spec-range band</text>\n"
        }
        s += "</svg>\n"
        return s
    }

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

    static func shorten(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

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
