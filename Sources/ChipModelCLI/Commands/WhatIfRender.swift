import ChipModelKit
import Foundation

/// What-if output, written while the sweep runs: each point's row goes out (table, CSV or JSON
/// array element) as soon as it is estimated and nothing but the chart's points is kept, so
/// memory does not grow with the grid. Rows are held only until the first point that could be
/// estimated (its metrics name the columns); when no point can be estimated the run fails with
/// the first reason and prints nothing. Footer lines (failures, caveats) are deduplicated and
/// capped at `maximumNotes` each.
final class WhatIfOutput {
    let format: OutputFormat
    let axes: [SweepAxis]
    let metric: WhatIfMetric
    let seed: UInt64
    let monteCarlo: Bool
    let context: CommandContext
    let chart: WhatIfChart?

    static let maximumNotes = 200

    /// A row held until the first estimated point (no chip, only what the row prints).
    struct Held {
        var chipID: String
        var chipName: String
        var point: SweepPoint
        var row: MetricRow
    }
    private var held: [Held] = []
    private var metricNames: [MetricValue]?
    private var table: StreamingTextTable?
    private var json: JSONArrayStream?
    private var anyRange = false
    private var failures: [String] = [], failureSet: Set<String> = [], failuresOmitted = 0
    private var caveats: [String] = [], caveatSet: Set<String> = [], caveatsOmitted = 0

    init(format: OutputFormat, axes: [SweepAxis], metric: WhatIfMetric, seed: UInt64, monteCarlo: Bool,
         context: CommandContext, chart: WhatIfChart?) {
        self.format = format
        self.axes = axes
        self.metric = metric
        self.seed = seed
        self.monteCarlo = monteCarlo
        self.context = context
        self.chart = chart
    }

    func add(_ r: SweepResult) {
        chart?.add(r)
        let h = Held(chipID: r.chipID, chipName: r.chipName, point: r.point, row: r.row)
        note(h)
        if metricNames == nil {
            guard !r.row.failed else { held.append(h); return }
            start(r.row.metrics)
            let pending = held
            held = []
            for p in pending { emit(p) }
        }
        emit(h)
    }

    /// Ends the output: the footer (table), the closing bracket (JSON). Throws when no point
    /// could be estimated.
    func finish() throws {
        guard metricNames != nil else {
            throw RunError(held.first?.row.notes.first ?? "the estimate failed at every point")
        }
        switch format {
        case .json:
            context.out((json?.end() ?? "") + "\n")
        case .csv:
            context.out(table?.finish() ?? "")
        case .table:
            context.out(table?.finish() ?? "")
            context.out("\nmetric: \(metric.label)\n")
            if anyRange { context.out("ranges: low-high over the chip's ranged (estimated/roadmap) spec values, corner evaluation\n") }
            if monteCarlo { context.out("monte carlo: triangular(low, nominal, high) per ranged spec value, seed \(seed)\n") }
            for f in failures { context.out("n/a: \(f)\n") }
            if failuresOmitted > 0 { context.out("n/a: ... and \(failuresOmitted) more failure reasons\n") }
            for c in caveats { context.out("note: \(c)\n") }
            if caveatsOmitted > 0 { context.out("note: ... and \(caveatsOmitted) more notes\n") }
        }
    }

    private func note(_ h: Held) {
        if h.row.metrics.contains(where: \.hasRange) { anyRange = true }
        guard format == .table else { return }
        if h.row.failed {
            let line = "\(h.chipID): \(h.row.notes.first ?? "failed")"
            if failureSet.insert(line).inserted {
                if failures.count < Self.maximumNotes { failures.append(line) } else { failuresOmitted += 1 }
            }
        } else {
            for n in h.row.notes.dropFirst() where caveatSet.insert(n).inserted {
                if caveats.count < Self.maximumNotes { caveats.append(n) } else { caveatsOmitted += 1 }
            }
        }
    }

    private func start(_ metrics: [MetricValue]) {
        metricNames = metrics
        switch format {
        case .json:
            let stream = JSONArrayStream(head: [
                ("metric", .string(metric.label)),
                ("ranges", .string("low/high: corner evaluation over the chip's ranged spec values")),
                ("parameters", .array(axes.map { .string($0.name) })),
            ], arrayKey: "rows")
            context.out(stream.begin())
            json = stream
        case .table, .csv:
            var headers = ["chip"] + axes.map(\.name)
            for m in metrics {
                if format == .csv { headers += ["\(m.name) (\(m.unit))", "\(m.name) low", "\(m.name) high"] }
                else { headers.append("\(m.unit) (range)") }
            }
            headers.append("binding")
            if monteCarlo { headers += format == .csv ? ["mc p5", "mc p50", "mc p95"] : ["monte carlo p50 (p5-p95)"] }
            if format == .csv { context.out(headers.map(csvEscape).joined(separator: ",") + "\n") }
            else { table = StreamingTextTable(headers: headers) }
        }
    }

    private func emit(_ h: Held) {
        let mc = monteCarlo && !h.row.failed ? h.row.monteCarlo : nil
        if format == .json {
            context.out(json?.item(jsonRow(h, mc: mc)) ?? "")
            return
        }
        let names = metricNames ?? []
        var row = [h.chipID] + axes.map { a in h.point[a.name].map { formatQuantity($0) } ?? "-" }
        for m in (h.row.failed ? names.map { MetricValue(name: $0.name, unit: $0.unit, nominal: .nan) } : h.row.metrics) {
            if !m.nominal.isFinite && h.row.failed { row += format == .csv ? ["", "", ""] : ["-"]; continue }
            if format == .csv {
                row += [csvNumber(m.nominal), csvNumber(m.low ?? m.nominal), csvNumber(m.high ?? m.nominal)]
            } else {
                row.append(m.formatted)
            }
        }
        row.append(h.row.binding)
        if monteCarlo {
            if format == .csv { row += [mc.map { csvNumber($0.p5) } ?? "", mc.map { csvNumber($0.p50) } ?? "", mc.map { csvNumber($0.p95) } ?? ""] }
            else { row.append(mc.map { "\(formatQuantity($0.p50)) (\(formatQuantity($0.p5))-\(formatQuantity($0.p95)))" } ?? "-") }
        }
        if format == .csv { context.out(row.map(csvEscape).joined(separator: ",") + "\n") }
        else if var t = table { context.out(t.add(row)); table = t }
    }

    private func jsonRow(_ h: Held, mc: MonteCarlo.Summary?) -> JSONValue {
        var members: [(String, JSONValue)] = [("chip", .string(h.chipID)), ("chipName", .string(h.chipName))]
        members.append(("parameters", .object(h.point.values.map { ($0.name, .num($0.value)) })))
        members.append(("metrics", .array(h.row.metrics.map { m in
            var o: [(String, JSONValue)] = [("name", .string(m.name)), ("unit", .string(m.unit)), ("nominal", .num(m.nominal)),
                                            ("low", .num(m.low ?? m.nominal)), ("high", .num(m.high ?? m.nominal))]
            if let b = m.modelError { o.append(("modelErrorBand", modelErrorJSON(b))) }
            return .object(o)
        })))
        members.append(("binding", .string(h.row.binding)))
        if !h.row.levers.isEmpty { members.append(("levers", .array(h.row.levers.map(LeversReport.leverJSON)))) }
        if h.row.failed { members.append(("error", .str(h.row.notes.first))) }
        if let s = mc {
            members.append(("monteCarlo", .object([("samples", .int(s.samples)), ("seed", .num(Double(seed))),
                                                   ("p5", .num(s.p5)), ("p50", .num(s.p50)), ("p95", .num(s.p95)),
                                                   ("mean", .num(s.mean))])))
        }
        return .object(members)
    }

    func csvNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }
}

/// The `--svg` chart of a sweep, built point by point: one line per chip (and per value of a
/// second axis), headline metric vs the first axis, the binding resource labelled where it
/// changes. Keeps only the plotted numbers.
final class WhatIfChart {
    let axes: [SweepAxis]
    let first: SweepAxis
    let metric: WhatIfMetric
    private var order: [String] = []
    private var series: [String: [LineChartSeries.Point]] = [:]
    private var lastBinding: [String: String] = [:]
    private var unit: String?
    private(set) var pointCount = 0

    init(axes: [SweepAxis], first: SweepAxis, metric: WhatIfMetric) {
        self.axes = axes
        self.first = first
        self.metric = metric
    }

    func add(_ r: SweepResult) {
        if unit == nil { unit = r.row.headline?.unit ?? "metric" }
        guard let x = r.point[first.name], let m = r.row.headline else { return }
        var key = r.chipID
        if axes.count > 1, let v = r.point[axes[1].name] { key += ", " + WhatIfCommand.axisValue(axes[1].name, v) }
        if series[key] == nil { order.append(key) }
        // The binding resource without its qualifiers ("prefill compute; batch limited by ...");
        // for training the top lever's name without its gain ("helps most: d2d").
        let binding = r.row.levers.isEmpty ? r.row.binding : String(r.row.binding.split(separator: " ").first ?? "none")
        let primary = binding.split(separator: ";").first.map(String.init) ?? binding
        let label = lastBinding[key] == binding ? nil
            : !r.row.levers.isEmpty ? "helps most: " + primary : (primary.contains(" ") ? "bound: " + primary : primary + "-bound")
        lastBinding[key] = binding
        series[key, default: []].append(.init(x: x, y: m.nominal, low: m.low, high: m.high, label: label))
        if x.isFinite, m.nominal.isFinite { pointCount += 1 }
    }

    func render() -> String {
        let unit = self.unit ?? "metric"
        let chart = LineChartSVG(title: "\(unit) vs \(WhatIfCommand.axisName(first.name))",
                                 subtitle: metric.label + "; labels: binding resource (training: what would help most) where it changes",
                                 xLabel: WhatIfCommand.axisLabel(first.name), yLabel: unit,
                                 series: order.map { LineChartSeries(name: $0, points: series[$0] ?? []) },
                                 logX: first.spansDecade)
        return chart.render()
    }
}

extension WhatIfCommand {
    /// A swept key for people: `memory.bandwidthGBps` -> `HBM bandwidth`, `bf16DenseTflops` ->
    /// `BF16 dense peak`; an unknown key is split at its camel case (`scaleUp.domainSize` ->
    /// `scale-up domain size`). The unit is `unitSuffix`'s.
    static func axisName(_ key: String) -> String {
        let known: [String: String] = [
            "memory.bandwidthGBps": "HBM bandwidth", "memory.capacityGB": "HBM capacity", "d2d.bandwidthGBps": "D2D bandwidth",
            "d2d.latencyNs": "D2D latency", "scaleUp.bandwidthGBps": "scale-up bandwidth", "scaleUp.domainSize": "scale-up domain",
            "scaleOut.nicBandwidthGBps": "scale-out NIC bandwidth", "scaleOut.bandwidthGBps": "scale-out bandwidth",
            "onChip.sramMB": "on-chip SRAM", "onChip.l2CacheMB": "L2 cache", "onChip.bandwidthGBps": "on-chip bandwidth",
            "tdpW": "TDP", "chips": "chips", "batch": "batch", "seq": "sequence length", "input-tokens": "input tokens",
            "output-tokens": "output tokens", "inter-group-gbps": "inter-group bandwidth (GB/s)",
        ]
        if let k = known[key] { return k }
        for f in NumberFormat.allCases where key == f.denseKey { return f.rawValue.uppercased() + " dense peak" }
        var words = ""
        let leaf = key.split(separator: ".").map(String.init)
        for part in leaf {
            var w = part
            for unit in ["GBps", "Tflops", "Tops", "GB", "MB", "Ns", "Us", "Mm2", "W"] where w.hasSuffix(unit) && w.count > unit.count {
                w.removeLast(unit.count)
                break
            }
            var spaced = ""
            for c in w { if c.isUppercase, !spaced.isEmpty { spaced += " " }; spaced += c.lowercased() }
            words += (words.isEmpty ? "" : " ") + spaced
        }
        return words.isEmpty ? key : words
    }

    /// An axis title: the name and its unit, the unit left out when it is the name (`chips`).
    static func axisLabel(_ key: String) -> String {
        let name = axisName(key), unit = unitSuffix(key)
        return unit == " (\(name))" ? name : name + unit
    }

    /// `D2D bandwidth 448 GB/s`: a point's value of a swept key, for a legend.
    static func axisValue(_ key: String, _ v: Double) -> String {
        let unit = unitSuffix(key).trimmingCharacters(in: CharacterSet(charactersIn: " ()"))
        let shown = ["chips", "sequences", "tokens"].contains(unit) || unit.isEmpty ? "" : " " + unit
        return key == "chips" ? "\(formatQuantity(v)) chips" : "\(axisName(key)) \(formatQuantity(v))\(shown)"
    }

    /// ` (GB/s)` for `...GBps`, from the unit in the key's name.
    static func unitSuffix(_ key: String) -> String {
        let units: [(String, String)] = [("GBps", "GB/s"), ("Tflops", "TFLOPS"), ("Tops", "TOPS"), ("MB", "MB"), ("GB", "GB"),
                                         ("Ns", "ns"), ("Us", "µs"), ("Mm2", "mm²"), ("W", "W")]
        for (suffix, u) in units where key.hasSuffix(suffix) { return " (\(u))" }
        switch key {
        case "chips": return " (chips)"
        case "batch": return " (sequences)"
        case "seq": return " (tokens)"
        default: return ""
        }
    }
}

/// `{"low": -0.12, "high": 0.15, "basis": "...", "cases": 12}`: a model-error band in JSON.
func modelErrorJSON(_ b: ModelErrorBand) -> JSONValue {
    .object([("low", .number(b.low)), ("high", .number(b.high)), ("basis", .string(b.basis)), ("cases", .number(Double(b.cases)))])
}
