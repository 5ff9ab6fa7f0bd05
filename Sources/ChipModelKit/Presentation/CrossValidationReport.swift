/// What `chipmodel validate --cross-validate family|source` prints: every training case's
/// error in sample (the checked-in constants) and cross-validated (the constants refit without
/// its family or publication), the refit constants of each fold, and the two summaries side
/// by side.
extension TrainingCrossValidation.Report {
    static func pct(_ x: Double?) -> String { x.map { formatSignedPercent($0) } ?? "fail" }
    static func abs(_ x: Double?) -> String { x.map { formatQuantity($0 * 100, decimals: 1) + "%" } ?? "-" }

    /// Rows in case-file order.
    public var caseTable: TextTable {
        var t = TextTable(headers: ["case", "family", "left out", "measured", "in-sample", "err", "cross-validated", "err"])
        let cv = Dictionary(crossValidated.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for r in inSample {
            let c = cv[r.id]
            let fold = grouping == .family ? r.family : r.source
            t.add([r.id, r.family, c == nil ? "-" : fold, formatQuantity(r.measured), r.estimate.map { formatQuantity($0) } ?? "-",
                   Self.pct(r.error), c?.estimate.map { formatQuantity($0) } ?? "-", c == nil ? "-" : Self.pct(c?.error)])
        }
        return t
    }

    public var foldTable: TextTable {
        var t = TextTable(headers: ["left out", "cases", "weighted median |err|", "matmul fraction", "8-bit scale", "GEMM fixed us",
                                    "mb overhead ms", "step overhead s", "NIC efficiency", "family factors"])
        for f in folds {
            let s = f.constants.shared
            let summary = TrainingCrossValidation.Summary(f.residuals)
            t.add([f.key, "\(f.residuals.count)", Self.abs(summary.weightedMedianAbsError),
                   formatQuantity(s.matmulPeakFraction ?? .nan), formatQuantity(s.lowPrecisionMatmulScale),
                   formatQuantity(s.gemmFixedSeconds * 1e6), formatQuantity(s.microbatchOverheadSeconds * 1e3),
                   formatQuantity(s.stepOverheadSeconds), formatQuantity(s.scaleOutFraction ?? .nan),
                   f.constants.familyFactors.isEmpty ? "-" : f.constants.familyFactors.sorted { $0.key < $1.key }
                       .map { "\($0.key) \(formatQuantity($0.value))" }.joined(separator: ", ")])
        }
        return t
    }

    public var summaryTable: TextTable {
        let a = TrainingCrossValidation.Summary(inSample), b = TrainingCrossValidation.Summary(crossValidated)
        var t = TextTable(headers: ["", "cases", "weighted median |err|", "weighted mean |err|", "max |err|", "failed"])
        t.add(["in-sample (checked-in constants)", "\(a.count)", Self.abs(a.weightedMedianAbsError), Self.abs(a.weightedMeanAbsError),
               Self.abs(a.maxAbsError), "\(a.failed)"])
        t.add(["cross-validated (leave one \(grouping.rawValue) out)", "\(b.count)", Self.abs(b.weightedMedianAbsError),
               Self.abs(b.weightedMeanAbsError), Self.abs(b.maxAbsError), "\(b.failed)"])
        return t
    }

    public func renderText() -> String {
        var out = "Training cross-validation, leave one \(grouping.rawValue) out: the shared constants refit without each \(grouping.rawValue) (from documented priors, plans held at the priors' search), then its cases estimated with them; the left-out family has no family factor.\n\n"
        out += caseTable.renderText()
        out += "\nconstants per fold:\n" + foldTable.renderText()
        out += "\n" + summaryTable.renderText()
        return out
    }

    public var json: JSONValue {
        func summary(_ s: TrainingCrossValidation.Summary) -> JSONValue {
            .object([("count", .int(s.count)), ("weightedMedianAbsError", .num(s.weightedMedianAbsError)),
                     ("weightedMeanAbsError", .num(s.weightedMeanAbsError)), ("maxAbsError", .num(s.maxAbsError)),
                     ("failed", .int(s.failed))])
        }
        func residual(_ r: TrainingCrossValidation.Residual) -> JSONValue {
            .object([("estimate", .num(r.estimate)), ("error", .num(r.error)), ("plan", r.plan.map { .object($0.jsonMembers) } ?? .null),
                     ("failure", .str(r.failure))])
        }
        let cv = Dictionary(crossValidated.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let cases: [JSONValue] = inSample.map { r in
            .object([("id", .string(r.id)), ("family", .string(r.family)), ("source", .string(r.source)),
                     ("weight", .num(r.weight)), ("metric", .string(r.metric.rawValue)), ("measured", .num(r.measured)),
                     ("inSample", residual(r)), ("crossValidated", cv[r.id].map(residual) ?? .null)])
        }
        let folds: [JSONValue] = folds.map { f in
            let s = f.constants.shared
            return .object([("leftOut", .string(f.key)), ("cases", .array(f.residuals.map { .string($0.id) })),
                            ("constants", .object([("matmulPeakFraction", .num(s.matmulPeakFraction)),
                                                   ("lowPrecisionMatmulScale", .num(s.lowPrecisionMatmulScale)),
                                                   ("gemmFixedSeconds", .num(s.gemmFixedSeconds)),
                                                   ("microbatchOverheadSeconds", .num(s.microbatchOverheadSeconds)),
                                                   ("stepOverheadSeconds", .num(s.stepOverheadSeconds)),
                                                   ("scaleOutFraction", .num(s.scaleOutFraction)),
                                                   ("familyFactors", .object(f.constants.familyFactors.sorted { $0.key < $1.key }
                                                       .map { ($0.key, .num($0.value)) }))]))])
        }
        return .object([("grouping", .string(grouping.rawValue)), ("cases", .array(cases)), ("folds", .array(folds)),
                        ("summary", .object([("inSample", summary(TrainingCrossValidation.Summary(inSample))),
                                             ("crossValidated", summary(TrainingCrossValidation.Summary(crossValidated)))]))])
    }
}
