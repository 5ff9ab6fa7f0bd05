import ChipModelKit
import Foundation

extension WhatIfCommand {
    // MARK: - Output

    static func render(_ results: [SweepResult], mc: [MonteCarlo.Summary?]?, axes: [SweepAxis], metric: WhatIfMetric,
                       seed: UInt64, format: OutputFormat, context: CommandContext) throws {
        let metricNames = results.first(where: { !$0.row.failed })?.row.metrics ?? []
        switch format {
        case .json:
            var rows: [JSONValue] = []
            for (i, r) in results.enumerated() {
                var members: [(String, JSONValue)] = [("chip", .string(r.chipID)), ("chipName", .string(r.chipName))]
                members.append(("parameters", .object(r.point.values.map { ($0.name, .num($0.value)) })))
                members.append(("metrics", .array(r.row.metrics.map { m in
                    .object([("name", .string(m.name)), ("unit", .string(m.unit)), ("nominal", .num(m.nominal)),
                             ("low", .num(m.low ?? m.nominal)), ("high", .num(m.high ?? m.nominal))])
                })))
                members.append(("binding", .string(r.row.binding)))
                if r.row.failed { members.append(("error", .str(r.row.notes.first))) }
                if let mc, i < mc.count, let s = mc[i] {
                    members.append(("monteCarlo", .object([("samples", .int(s.samples)), ("seed", .num(Double(seed))),
                                                           ("p5", .num(s.p5)), ("p50", .num(s.p50)), ("p95", .num(s.p95)),
                                                           ("mean", .num(s.mean))])))
                }
                rows.append(.object(members))
            }
            let doc = JSONValue.object([
                ("metric", .string(metric.label)),
                ("ranges", .string("low/high: corner evaluation over the chip's ranged spec values")),
                ("parameters", .array(axes.map { .string($0.name) })),
                ("rows", .array(rows)),
            ])
            context.out(doc.serialized() + "\n")
        case .table, .csv:
            var headers = ["chip"] + axes.map(\.name)
            for m in metricNames {
                if format == .csv { headers += ["\(m.name) (\(m.unit))", "\(m.name) low", "\(m.name) high"] }
                else { headers.append("\(m.unit) (range)") }
            }
            headers.append("binding")
            if mc != nil { headers += format == .csv ? ["mc p5", "mc p50", "mc p95"] : ["monte carlo p50 (p5-p95)"] }
            var table = TextTable(headers: headers)
            for (i, r) in results.enumerated() {
                var row = [r.chipID] + axes.map { a in r.point[a.name].map { formatQuantity($0) } ?? "-" }
                for m in (r.row.failed ? metricNames.map { MetricValue(name: $0.name, unit: $0.unit, nominal: .nan) } : r.row.metrics) {
                    if !m.nominal.isFinite && r.row.failed { row += format == .csv ? ["", "", ""] : ["-"]; continue }
                    if format == .csv {
                        row += [csvNumber(m.nominal), csvNumber(m.low ?? m.nominal), csvNumber(m.high ?? m.nominal)]
                    } else {
                        row.append(m.formatted)
                    }
                }
                row.append(r.row.binding)
                if let mc {
                    let s = i < mc.count ? mc[i] : nil
                    if format == .csv { row += [s.map { csvNumber($0.p5) } ?? "", s.map { csvNumber($0.p50) } ?? "", s.map { csvNumber($0.p95) } ?? ""] }
                    else { row.append(s.map { "\(formatQuantity($0.p50)) (\(formatQuantity($0.p5))-\(formatQuantity($0.p95)))" } ?? "-") }
                }
                table.add(row)
            }
            if format == .csv {
                context.out(table.renderCSV())
            } else {
                context.out(table.renderText())
                context.out("\nmetric: \(metric.label)\n")
                if results.contains(where: { $0.row.metrics.contains(where: \.hasRange) }) {
                    context.out("ranges: low-high over the chip's ranged (estimated/roadmap) spec values, corner evaluation\n")
                }
                if mc != nil { context.out("monte carlo: triangular(low, nominal, high) per ranged spec value, seed \(seed)\n") }
                var failures: [String] = []
                for r in results where r.row.failed {
                    let line = "\(r.chipID): \(r.row.notes.first ?? "failed")"
                    if !failures.contains(line) { failures.append(line) }
                }
                for f in failures { context.out("n/a: \(f)\n") }
                var caveats: [String] = []
                for r in results where !r.row.failed {
                    for n in r.row.notes.dropFirst() where !caveats.contains(n) { caveats.append(n) }
                }
                for c in caveats { context.out("note: \(c)\n") }
            }
        }
    }

    static func csvNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "" }

    /// One line per chip (and per value of a second axis), headline metric vs the first axis.
    static func chart(_ results: [SweepResult], axes: [SweepAxis], first: SweepAxis, metric: WhatIfMetric) -> String {
        var order: [String] = []
        var series: [String: [LineChartSeries.Point]] = [:]
        var lastBinding: [String: String] = [:]
        for r in results {
            guard let x = r.point[first.name], let m = r.row.headline else { continue }
            var key = r.chipID
            if axes.count > 1, let v = r.point[axes[1].name] { key += " \(axes[1].name)=\(formatQuantity(v))" }
            if series[key] == nil { order.append(key) }
            // Label the binding resource at the first point and wherever it changes.
            // The binding resource without its qualifiers ("prefill compute; batch limited by ...").
            let primary = r.row.binding.split(separator: ";").first.map(String.init) ?? r.row.binding
            let label = lastBinding[key] == r.row.binding ? nil : (primary.contains(" ") ? "bound: " + primary : primary + "-bound")
            lastBinding[key] = r.row.binding
            series[key, default: []].append(.init(x: x, y: m.nominal, low: m.low, high: m.high, label: label))
        }
        let unit = results.first?.row.headline?.unit ?? "metric"
        let chart = LineChartSVG(title: "\(unit) vs \(first.name)", subtitle: metric.label + "; labels: binding resource where it changes",
                                 xLabel: first.name + unitSuffix(first.name), yLabel: unit,
                                 series: order.map { LineChartSeries(name: $0, points: series[$0] ?? []) },
                                 logX: first.spansDecade)
        return chart.render()
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
