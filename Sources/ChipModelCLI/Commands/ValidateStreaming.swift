import ChipModelKit

extension ValidateCommand {
    /// Cases estimated per batch (in parallel within a batch): the JSON of a batch is written
    /// as soon as it is done, and only each case's compact result is kept for the summary
    /// (its explanation lines are dropped), so memory grows with the case file, not with the
    /// estimators' breakdowns.
    static let batchSize = 32

    /// The work of a case file (`WorkEstimate`): a training case whose plan leaves any of tp,
    /// pp, dp open costs a plan search, one with the degrees fixed a small search, an inference
    /// case an inference estimate.
    static func workEstimate(_ cases: [MeasurementCase]) -> WorkEstimate {
        var searches = 0.0, fixed = 0.0, inference = 0.0
        for c in cases {
            switch c.kind {
            case .inference: inference += 1
            case .training:
                if c.plan.tp != nil, c.plan.pp != nil, c.plan.dp != nil { fixed += 1 } else { searches += 1 }
            }
        }
        var e = WorkEstimate.zero
        if searches > 0 { e = e + .items(searches, "training cases without a full plan", unitsEach: WorkEstimate.Cost.trainingSearch) }
        if fixed > 0 { e = e + .items(fixed, "training cases with tp, pp, dp given", unitsEach: WorkEstimate.Cost.trainingFixedDegrees) }
        if inference > 0 { e = e + .items(inference, "inference cases", unitsEach: WorkEstimate.Cost.inferenceEstimate) }
        return e
    }

    /// Runs the cases batch by batch and writes the report: JSON streamed in case-file order
    /// (byte-for-byte `ValidationReport.json`), the table and CSV (worst first) from the
    /// compact results once all are in. Progress on a terminal for long runs.
    static func stream(_ cases: [MeasurementCase], validator: Validator, format: OutputFormat, context: CommandContext) {
        var json = format == .json ? JSONArrayStream(head: [], arrayKey: "cases") : nil
        if let json { context.out(json.begin()) }
        let progress = SweepProgress(context: context, total: cases.count, label: "validate", unit: "cases")
        var results: [CaseResult] = []
        results.reserveCapacity(cases.count)
        var start = 0
        while start < cases.count {
            let batch = Array(cases[start..<min(cases.count, start + batchSize)])
            start += batch.count
            for var r in validator.run(batch).results {
                if var j = json {
                    let doc = ValidationReport(results: [r]).json
                    context.out(j.item(doc["cases"]?.arrayValue?.first ?? .null))
                    json = j
                }
                r.estimate?.explanation = []
                results.append(r)
                progress.step()
            }
        }
        progress.finish()
        let report = ValidationReport(results: results)
        switch format {
        case .json:
            context.out((json?.end(tail: [("summary", report.summary.json)]) ?? "") + "\n")
        case .csv:
            context.out(report.caseCSV)
        case .table:
            context.out(report.renderText())
        }
    }
}
