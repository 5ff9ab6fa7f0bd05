/// Renderings of a validation report: the JSON of Benchmarks/CASES.md, the per-case table (worst
/// first), the summary table, and the `--explain` breakdown of one case. Pure functions of
/// the report, shared by `chipmodel validate` and the validation test (which prints the
/// table into the CI log).
extension ValidationReport {
    // MARK: JSON (Benchmarks/CASES.md, "What chipmodel validate reports")

    /// `{ "cases": [...], "summary": {...} }` exactly as Benchmarks/CASES.md shows: per case `id`,
    /// `metric`, `measured`, `estimate`, `error`, `weight`, `plan`, and `failure` for a case
    /// that could not be estimated (its `estimate`, `error` and `plan` are `null`). Cases are
    /// in case-file order. Never contains NaN or infinity (non-finite numbers become `null`).
    public var json: JSONValue {
        let cases: [JSONValue] = results.map { r in
            var members: [(String, JSONValue)] = [
                ("id", .string(r.id)),
                ("metric", .string(r.metric.rawValue)),
                ("measured", finite(r.measured)),
                ("estimate", finite(r.estimate?.value)),
                ("error", finite(r.error)),
                ("weight", finite(r.weight)),
                ("plan", r.estimate.map { .object($0.plan) } ?? .null),
            ]
            if let f = r.failure { members.append(("failure", .string(f))) }
            return .object(members)
        }
        return .object([("cases", .array(cases)), ("summary", summary.json)])
    }

    // MARK: Tables

    public static let caseHeaders = ["case", "kind", "chip", "chips", "model", "metric", "measured", "estimate", "error", "weight", "plan / failure"]

    /// One row per case, worst first (failed cases first, with their reason).
    public var caseRows: [[String]] {
        worstFirst.map { r in
            [r.id, r.kind.rawValue, r.measurementCase.chip, "\(r.measurementCase.chipCount)", r.measurementCase.modelLabel,
             r.metric.rawValue, JSONValue.formatNumber(r.measured),
             r.estimate.map { formatSignificant($0.value, digits: 4) } ?? "-",
             r.error.map(formatSignedPercent) ?? "FAILED",
             formatQuantity(r.weight),
             r.failure ?? r.estimate.map { $0.planLabel ?? planText($0.plan) } ?? ""]
        }
    }

    public static let summaryHeaders = ["cases", "count", "failed", "scored", "w.median |err|", "w.mean |err|", "max |err|"]

    /// The overall summary, then one row per kind present.
    public var summaryRows: [[String]] {
        func row(_ name: String, _ s: ValidationSummary) -> [String] {
            [name, String(s.count), String(s.failed), String(s.scored),
             s.weightedMedianAbsError.map(formatPercent) ?? "-",
             s.weightedMeanAbsError.map(formatPercent) ?? "-",
             s.maxAbsError.map(formatPercent) ?? "-"]
        }
        return [row("all", summary)] + summaryByKind.map { row($0.kind.rawValue, $0.summary) }
    }

    /// The per-case table then the summary table, aligned for a terminal or a CI log.
    public func renderText() -> String {
        var s = alignedTable(headers: Self.caseHeaders, rows: caseRows)
        s += "\n" + alignedTable(headers: Self.summaryHeaders, rows: summaryRows)
        s += "scored = weight > 0 and estimated; w.median is the lower weighted median of |error|.\n"
        return s
    }

    // MARK: --explain

    /// Everything about one case: what was measured, the plan given and used, the estimate
    /// with its error, and the estimator's full breakdown (or the failure reason).
    public static func explain(_ r: CaseResult) -> String {
        let c = r.measurementCase
        var lines: [String] = []
        lines.append("case \(c.id) (\(c.kind.rawValue), weight \(formatQuantity(c.weight)))")
        lines.append("source: \(c.source)")
        if let n = c.note { lines.append("note: \(n)") }
        var system = "system: \(c.chipCount) x \(c.chip)"
        if let d = c.scaleUpDomain { system += ", scale-up domain \(d)" }
        lines.append(system)
        lines.append("workload: " + workloadText(c))
        let given = constraintText(c.plan)
        lines.append("plan given: " + (given.isEmpty ? "none (searched)" : given))
        lines.append("measured: \(c.metric.rawValue) = \(JSONValue.formatNumber(c.measured))")
        if let e = r.estimate {
            lines.append("estimate: \(c.metric.rawValue) = \(formatSignificant(e.value, digits: 4))"
                         + (r.error.map { " (error \(formatSignedPercent($0)))" } ?? ""))
            lines.append("plan used: " + (e.plan.isEmpty ? "-" : planText(e.plan)))
            lines.append("uses estimated spec values: " + (e.usesEstimatedSpecs ? "yes" : "no"))
            lines.append("breakdown:")
            lines += e.explanation.isEmpty ? ["  (none given by the estimator)"] : e.explanation.map { "  " + $0 }
        } else {
            lines.append("estimate: none")
            lines.append("failure: \(r.failure ?? "unknown")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func workloadText(_ c: MeasurementCase) -> String {
        var parts: [String] = []
        switch c.model {
        case let .builtIn(id): parts.append(id)
        case let .inline(m): parts.append("\(m.name) (inline)")
        }
        parts.append(c.precision.rawValue)
        if let s = c.sequenceLength { parts.append("sequence \(s)") }
        if let b = c.globalBatch { parts.append("global batch \(b)") }
        if let s = c.scenario { parts.append(s.rawValue) }
        if let i = c.inputTokens { parts.append("input \(i) tokens") }
        if let o = c.outputTokens { parts.append("output \(o) tokens") }
        if let b = c.batch { parts.append("batch \(b)") }
        if let t = c.ttftBoundMs { parts.append("TTFT <= \(formatQuantity(t)) ms") }
        if let t = c.tpotBoundMs { parts.append("TPOT <= \(formatQuantity(t)) ms") }
        return parts.joined(separator: ", ")
    }

    static func constraintText(_ p: PlanConstraints) -> String {
        var parts: [String] = []
        func add(_ k: String, _ v: Int?) { if let v { parts.append("\(k)=\(v)") } }
        add("tp", p.tp); add("pp", p.pp); add("dp", p.dp); add("cp", p.cp); add("ep", p.ep)
        add("microBatch", p.microBatch); add("virtualStages", p.virtualStages)
        if let s = p.sequenceParallel { parts.append("sequenceParallel=\(s)") }
        if let r = p.recompute { parts.append("recompute=\(r.rawValue)") }
        add("zeroStage", p.zeroStage); add("replicas", p.replicas)
        return parts.joined(separator: " ")
    }
}

extension ValidationSummary {
    /// Key order as Benchmarks/CASES.md shows it.
    public var json: JSONValue {
        .object([
            ("count", .number(Double(count))),
            ("weightedMedianAbsError", finite(weightedMedianAbsError)),
            ("weightedMeanAbsError", finite(weightedMeanAbsError)),
            ("maxAbsError", finite(maxAbsError)),
            ("failed", .number(Double(failed))),
        ])
    }
}

/// `tp=8 pp=8 microBatch=1 recompute=selective` from a plan's JSON members.
func planText(_ plan: [(String, JSONValue)]) -> String {
    plan.map { key, value in
        let v: String
        switch value {
        case let .string(s): v = s
        case let .number(n): v = JSONValue.formatNumber(n)
        default: v = value.serialized(pretty: false)
        }
        return "\(key)=\(v)"
    }.joined(separator: " ")
}

private func finite(_ x: Double?) -> JSONValue {
    guard let x, x.isFinite else { return .null }
    return .number(x)
}

/// Columns padded to their widest cell; numeric-looking columns (and FAILED markers)
/// right-aligned.
func alignedTable(headers: [String], rows: [[String]]) -> String {
    TextTable(headers: headers, rows: rows, alignAsNumber: ["-", "FAILED"]).renderText()
}
