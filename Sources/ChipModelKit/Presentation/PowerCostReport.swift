import Foundation

/// The power, energy and cost lines and JSON members of `estimate` (training and
/// `--inference`), and the efficiency scatter across chips with its Pareto front.
public enum PowerCostReport {
    /// `$41.5M`, `$1.35`, `$930k`.
    static func usd(_ x: Double) -> String {
        let a = abs(x)
        if a >= 1e9 { return "$" + formatQuantity(x / 1e9) + "B" }
        if a >= 1e6 { return "$" + formatQuantity(x / 1e6) + "M" }
        if a >= 1e4 { return "$" + formatQuantity(x / 1e3) + "k" }
        if a >= 0.01, a < 100 { return "$" + formatFixed(x, decimals: 2) }
        return "$" + formatQuantity(x)
    }

    static func text(_ r: RangedValue, _ f: (Double) -> String = { formatQuantity($0) }) -> String { TrainingReport.cell(r, f) }

    /// One line under the training table.
    public static func trainingLine(chipID: String, _ outcome: Result<TrainingEnergyEstimate, PowerInputError>, tokenBudget: Double) -> String {
        switch outcome {
        case let .failure(e): return "\(chipID): power: \(e.message)"
        case let .success(e):
            var s = "\(chipID): \(text(e.power.clusterFacilityKW)) kW facility (\(text(e.power.chipWattsAverage)) W/chip average);"
            s += " \(text(e.energyMWh)) MWh, \(text(e.tCO2e)) tCO2e for \(formatQuantity(tokenBudget / 1e12)) T tokens"
            if let c = e.cost, let total = c.usdTotal {
                s += "; \(text(c.usdPerChipHour, usd))/chip-hour, \(text(total, usd)) total\n  cost basis: \(c.basis)"
            } else {
                s += "; no price known (pass --chip-price-usd or --chip-hour-usd)"
            }
            return s
        }
    }

    /// One line under the serving table.
    public static func servingLine(chipID: String, _ outcome: Result<ServingEnergyEstimate, PowerInputError>, llm: Bool) -> String {
        switch outcome {
        case let .failure(e): return "\(chipID): power: \(e.message)"
        case let .success(e):
            let unit = llm ? "tokens" : "samples"
            var s = "\(chipID): \(text(e.power.clusterFacilityKW)) kW facility (\(text(e.power.chipWattsAverage)) W/chip average);"
            s += " \(text(e.tokensPerJoule)) \(unit)/J (\(text(e.tokensPerJouleChipOnly)) on chip power alone)"
            if llm { s += ", \(text(e.joulesPerRequest)) J/request" }
            if let c = e.cost, let m = c.usdPerMillionTokens {
                s += "; \(text(c.usdPerChipHour, usd))/chip-hour, \(text(m, usd)) per million \(unit)\n  cost basis: \(c.basis)"
            } else {
                s += "; no price known (pass --chip-price-usd or --chip-hour-usd)"
            }
            return s
        }
    }

    static func sides(_ values: [(String, RangedValue)]) -> [(String, JSONValue)] {
        let ranged = values.contains { $0.1.hasRange }
        var m = values.map { ($0.0, JSONValue.num($0.1.nominal)) }
        m.append(("low", ranged ? .object(values.map { ($0.0, .num($0.1.low)) }) : .null))
        m.append(("high", ranged ? .object(values.map { ($0.0, .num($0.1.high)) }) : .null))
        return m
    }

    static func costJSON(_ c: CostEstimate?, _ key: String, _ value: RangedValue?) -> JSONValue {
        guard let c, let value else { return .null }
        return .object(sides([("usdPerChipHour", c.usdPerChipHour), (key, value)]) + [("basis", .string(c.basis))])
    }

    /// `estimates[i].power` and `.cost` of a training estimate.
    public static func trainingJSON(_ outcome: Result<TrainingEnergyEstimate, PowerInputError>) -> [(String, JSONValue)] {
        switch outcome {
        case let .failure(e): return [("power", .object([("error", .string(e.message))])), ("cost", .null)]
        case let .success(e):
            let power = sides([("clusterKW", e.power.clusterFacilityKW), ("clusterITKW", e.power.clusterITKW),
                               ("provisionedKW", e.power.provisionedFacilityKW), ("chipWattsAverage", e.power.chipWattsAverage),
                               ("energyMWh", e.energyMWh), ("itEnergyMWh", e.itEnergyMWh), ("chipEnergyMWh", e.chipEnergyMWh),
                               ("tCO2e", e.tCO2e)])
            return [("power", .object(power)), ("cost", costJSON(e.cost, "usdTotal", e.cost?.usdTotal))]
        }
    }

    /// `estimates[i].power` and `.cost` of a serving estimate (samples for encoders and CNNs).
    public static func servingJSON(_ outcome: Result<ServingEnergyEstimate, PowerInputError>, llm: Bool) -> [(String, JSONValue)] {
        switch outcome {
        case let .failure(e): return [("power", .object([("error", .string(e.message))])), ("cost", .null)]
        case let .success(e):
            var values = [("clusterKW", e.power.clusterFacilityKW), ("clusterITKW", e.power.clusterITKW),
                          ("provisionedKW", e.power.provisionedFacilityKW), ("chipWattsAverage", e.power.chipWattsAverage),
                          (llm ? "tokensPerJoule" : "samplesPerJoule", e.tokensPerJoule),
                          (llm ? "tokensPerJouleChipOnly" : "samplesPerJouleChipOnly", e.tokensPerJouleChipOnly)]
            if llm { values.append(("joulesPerRequest", e.joulesPerRequest)) }
            return [("power", .object(sides(values))),
                    ("cost", costJSON(e.cost, llm ? "usdPerMillionTokens" : "usdPerMillionSamples", e.cost?.usdPerMillionTokens))]
        }
    }

    /// One chip on the efficiency scatter.
    public struct ScatterPoint: Sendable, Equatable {
        public var label: String
        /// Throughput per chip (x).
        public var throughput: RangedValue
        /// Tokens per joule, or dollars per million tokens (y).
        public var efficiency: RangedValue
        public init(label: String, throughput: RangedValue, efficiency: RangedValue) {
            self.label = label
            self.throughput = throughput
            self.efficiency = efficiency
        }
    }

    /// Indices of the points no other point beats on both axes (more throughput, and more
    /// efficiency when `higherIsBetter`, less otherwise), at their nominal values.
    public static func paretoFront(_ points: [ScatterPoint], higherIsBetter: Bool) -> [Int] {
        func better(_ a: Double, _ b: Double) -> Bool { higherIsBetter ? a > b : a < b }
        func notWorse(_ a: Double, _ b: Double) -> Bool { higherIsBetter ? a >= b : a <= b }
        return points.indices.filter { i in
            let p = points[i]
            return !points.indices.contains { j in
                let q = points[j]
                return j != i && q.throughput.nominal >= p.throughput.nominal && notWorse(q.efficiency.nominal, p.efficiency.nominal)
                    && (q.throughput.nominal > p.throughput.nominal || better(q.efficiency.nominal, p.efficiency.nominal))
            }
        }
    }

    /// Throughput per chip (x) against efficiency (y), one point per chip with its range as
    /// error bars on both axes, the Pareto front joined and ringed, as a plain SVG document.
    /// `missing` names the chips compared that have no point (no price, no power figure), in a
    /// line under the title, so a chip is never left out silently.
    public static func scatterSVG(_ points: [ScatterPoint], title: String, xLabel: String, yLabel: String, higherIsBetter: Bool,
                                  missing: [String] = []) -> String {
        let W = 820.0, H = 520.0, left = 90.0, right = 40.0, top = 50.0, bottom = 70.0
        let pw = W - left - right, ph = H - top - bottom
        let finite = points.filter { [$0.throughput.low, $0.throughput.high, $0.efficiency.low, $0.efficiency.high].allSatisfy(\.isFinite) }
        let xMax = InferenceReport.niceCeil(finite.map(\.throughput.high).max() ?? 1)
        let yMax = InferenceReport.niceCeil(finite.map(\.efficiency.high).max() ?? 1)
        func px(_ x: Double) -> Double { left + max(0, x) / xMax * pw }
        func py(_ y: Double) -> Double { top + ph - max(0, y) / yMax * ph }
        func n(_ x: Double) -> String { formatQuantity(x, decimals: 1) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(n(W / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(esc(title))</text>\n"
        let unplotted = missing + points.filter { p in !finite.contains { $0.label == p.label } }.map(\.label)
        if !unplotted.isEmpty {
            let line = LineChartSVG.wrap("not plotted (no value): " + unplotted.joined(separator: ", "), Int(pw / (11 * LineChartSVG.charWidth))).first ?? ""
            s += "<text x=\"\(n(W / 2))\" y=\"41\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">\(esc(line))</text>\n"
        }
        for i in 0...5 {
            let fx = xMax * Double(i) / 5, fy = yMax * Double(i) / 5
            s += "<line x1=\"\(n(px(fx)))\" y1=\"\(n(top))\" x2=\"\(n(px(fx)))\" y2=\"\(n(top + ph))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(n(px(fx)))\" y=\"\(n(top + ph + 18))\" text-anchor=\"middle\">\(formatQuantity(fx))</text>\n"
            s += "<line x1=\"\(n(left))\" y1=\"\(n(py(fy)))\" x2=\"\(n(left + pw))\" y2=\"\(n(py(fy)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(fy) + 4))\" text-anchor=\"end\">\(formatQuantity(fy))</text>\n"
        }
        s += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(pw))\" height=\"\(n(ph))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(n(left + pw / 2))\" y=\"\(n(H - 38))\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text transform=\"translate(22 \(n(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        s += "<text x=\"\(n(left))\" y=\"\(n(H - 22))\">bars: range over spec corners and ranged power/price inputs;</text>\n"
        s += "<text x=\"\(n(left))\" y=\"\(n(H - 7))\">ringed and joined: Pareto front (\(higherIsBetter ? "more" : "lower") is better on y)</text>\n"
        var placed: [LineChartSVG.Box] = []
        let front = paretoFront(finite, higherIsBetter: higherIsBetter)
        let ordered = front.sorted { finite[$0].throughput.nominal < finite[$1].throughput.nominal }
        if ordered.count > 1 {
            let pts = ordered.map { "\(n(px(finite[$0].throughput.nominal))),\(n(py(finite[$0].efficiency.nominal)))" }
            s += "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\" points=\"\(pts.joined(separator: " "))\"/>\n"
        }
        for (i, p) in finite.enumerated() {
            let x = px(p.throughput.nominal), y = py(p.efficiency.nominal)
            s += "<line x1=\"\(n(px(p.throughput.low)))\" y1=\"\(n(y))\" x2=\"\(n(px(p.throughput.high)))\" y2=\"\(n(y))\" stroke=\"#1f77b4\"/>\n"
            s += "<line x1=\"\(n(x))\" y1=\"\(n(py(p.efficiency.low)))\" x2=\"\(n(x))\" y2=\"\(n(py(p.efficiency.high)))\" stroke=\"#1f77b4\"/>\n"
            s += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"4\" fill=\"#1f77b4\"/>\n"
            if front.contains(i) { s += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"8\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n" }
            // The chip's name beside its point, clear of the other names and inside the plot.
            if let at = LineChartSVG.place(p.label, near: (x, y), in: (left, top, left + pw, top + ph), avoiding: &placed, gap: 10) {
                s += "<text x=\"\(n(at.x))\" y=\"\(n(at.y))\" font-size=\"11\"\(LineChartSVG.halo)\(at.end ? " text-anchor=\"end\"" : "")>\(esc(p.label))</text>\n"
            }
        }
        s += "</svg>\n"
        return s
    }
}
