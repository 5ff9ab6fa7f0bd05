/// The validation report as CSV, one number per cell: the case table (worst first, the error
/// as a signed percentage column) and one case's `--explain` breakdown as key,value rows.
extension MeasurementCase {
    /// The model id, or an inline model's name.
    public var modelLabel: String {
        switch model {
        case let .builtIn(id): return id
        case let .inline(m): return m.name
        }
    }
}

extension ValidationReport {
    public static let caseCSVHeaders = ["case", "kind", "chip", "chips", "model", "metric", "measured", "estimate", "error_percent",
                                        "weight", "plan", "failure"]

    /// The case table as CSV (worst first; empty cells where a case has no estimate).
    public var caseCSV: String {
        var t = TextTable(headers: Self.caseCSVHeaders)
        for r in worstFirst {
            let c = r.measurementCase
            t.add([r.id, r.kind.rawValue, c.chip, "\(c.chipCount)", c.modelLabel, r.metric.rawValue, csvNumber(r.measured),
                   csvNumber(r.estimate?.value), csvNumber(r.error.map { $0 * 100 }), csvNumber(r.weight),
                   r.estimate.map { $0.planLabel ?? planText($0.plan) } ?? "", r.failure ?? ""])
        }
        return t.renderCSV()
    }

    /// `--explain ID --format csv`: key,value rows (numbers alone in their cell; each breakdown
    /// line a `breakdown` row).
    public static func explainCSV(_ r: CaseResult) -> String {
        let c = r.measurementCase
        var t = TextTable(headers: ["key", "value"])
        t.add(["case", c.id])
        t.add(["kind", c.kind.rawValue])
        t.add(["weight", csvNumber(c.weight)])
        t.add(["source", c.source])
        if let n = c.note { t.add(["note", n]) }
        t.add(["chip", c.chip])
        t.add(["chips", "\(c.chipCount)"])
        if let d = c.scaleUpDomain { t.add(["scale_up_domain", "\(d)"]) }
        t.add(["model", c.modelLabel])
        t.add(["workload", workloadText(c)])
        t.add(["plan_given", constraintText(c.plan)])
        t.add(["metric", c.metric.rawValue])
        t.add(["measured", csvNumber(c.measured)])
        if let e = r.estimate {
            t.add(["estimate", csvNumber(e.value)])
            t.add(["error_percent", csvNumber(r.error.map { $0 * 100 })])
            t.add(["plan_used", e.planLabel ?? planText(e.plan)])
            t.add(["uses_estimated_specs", e.usesEstimatedSpecs ? "yes" : "no"])
            for line in e.explanation { t.add(["breakdown", line]) }
        } else {
            t.add(["failure", r.failure ?? "unknown"])
        }
        return t.renderCSV()
    }
}
