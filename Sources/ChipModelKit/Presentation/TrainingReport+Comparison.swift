/// The like-for-like parts of the training comparison (formats, `x vs ID` ratios) and its CSV:
/// one number per cell, spec-corner ranges and the model-error band as `_low`/`_high` columns,
/// `--scaling` rows in the same table (`table` = `estimate` or `scaling`).
extension TrainingReport {
    public static func baselineRatios(_ results: [TrainingRunResult], _ comparison: ComparisonOptions) -> [String: BaselineRatio] {
        BaselineRatio.compute(results.compactMap { r in
            (try? r.outcome.get()).map { ranged in
                let f = ranged.nominal.workload.precision.rawValue
                return (chipID: r.chipID, perChip: ranged.nominal.tokensPerSecondPerChip, formats: f, key: f)
            }
        }, baselineID: comparison.baselineID)
    }

    /// The line under the header naming the shared format (like for like) or the formats that differ.
    public static func formatsLine(_ results: [TrainingRunResult], _ comparison: ComparisonOptions) -> String? {
        let ran = results.compactMap { r in (try? r.outcome.get()).map { (r.chipID, $0.nominal.workload.precision) } }
        guard !ran.isEmpty else { return nil }
        if let f = comparison.likeForLike {
            let forced = ran.compactMap { r in comparison.forcedOff(r.0, ran: r.1).map { "\(r.0) (default \($0.rawValue))" } }
            return "like for like: every chip trains in \(f.rawValue), the best format they all share"
                + (forced.isEmpty ? "" : "; off their default: " + forced.joined(separator: ", "))
        }
        var groups: [(NumberFormat, [String])] = []
        for (chip, f) in ran {
            if let i = groups.firstIndex(where: { $0.0 == f }) { groups[i].1.append(chip) } else { groups.append((f, [chip])) }
        }
        guard groups.count > 1 else { return nil }
        return "not like for like: " + groups.map { "\($0.0.rawValue) on \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
            + " (--like-for-like trains every chip in the best format they all share)"
    }

    static func comparisonJSON(_ r: TrainingRunResult, _ results: [TrainingRunResult], _ comparison: ComparisonOptions) -> [(String, JSONValue)] {
        var m: [(String, JSONValue)] = [("defaultPrecision", .str(comparison.defaultFormats[r.chipID]?.rawValue)),
                                        ("likeForLike", .bool(comparison.likeForLike != nil))]
        if let b = comparison.baselineID {
            let ratio = baselineRatios(results, comparison)[r.chipID]
            m.append(("vsBaseline", ratio.map { .object([("baseline", .string(b))] + $0.jsonMembers) } ?? .null))
        }
        return m
    }

    /// The CSV of the comparison (and of `--scaling`, as rows with `table` = `scaling`).
    public static func csv(_ results: [TrainingRunResult], run: TrainingRun, comparison: ComparisonOptions = ComparisonOptions()) -> String {
        let ratios = baselineRatios(results, comparison)
        func ranged(_ name: String) -> [String] { [name, name + "_low", name + "_high"] }
        let headers = ["table", "chip", "chips", "precision", "default_precision", "plan"] + ranged("step_s") + ranged("tokens_per_s_per_chip")
            + ["tokens_per_s_per_chip_model_error_low", "tokens_per_s_per_chip_model_error_high", "tokens_per_s"] + ranged("mfu_percent")
            + ["memory_gb_per_chip"] + ranged("days") + ["scaling_efficiency_percent"] + comparison.baselineCSVHeaders + ["error"]
        var t = TextTable(headers: headers)
        func cells(_ v: RangedValue, scale: Double = 1) -> [String] {
            [csvNumber(v.nominal * scale), csvNumber(v.low * scale), csvNumber(v.high * scale)]
        }
        let defaultOf = { (id: String) in comparison.defaultFormats[id]?.rawValue ?? "" }
        for r in results {
            var row = ["estimate", r.chipID, "\(run.chips)"]
            switch r.outcome {
            case let .success(rv):
                let e = rv.nominal
                let tps = rv.range(\.tokensPerSecondPerChip)
                let truth = e.modelErrorBand.trueRange(low: tps.low, high: tps.high)
                row += [e.workload.precision.rawValue, defaultOf(r.chipID), e.plan.description] + cells(rv.range(\.stepSeconds)) + cells(tps)
                row += [csvNumber(truth.low), csvNumber(truth.high), csvNumber(e.tokensPerSecond)] + cells(rv.range(\.mfu), scale: 100)
                row += [csvNumber(e.memory.total / 1e9)] + cells(rv.range(\.days)) + [""]
                if comparison.baselineID != nil { row += ratios[r.chipID]?.csvCells ?? ["", ""] }
                row.append(rv.range(\.stepSeconds).unavailable.joined(separator: "; "))
            case let .failure(e):
                row += ["", defaultOf(r.chipID), ""] + Array(repeating: "", count: 12)
                row += [csvNumber(e.neededBytes.map { $0 / 1e9 })] + ["", "", "", ""] + (comparison.baselineID == nil ? [] : ["", ""])
                row.append(e.message)
            }
            t.add(row)
            for s in r.scaling ?? [] {
                let precision = (try? r.outcome.get()).map { $0.nominal.workload.precision.rawValue } ?? ""
                var srow = ["scaling", r.chipID, "\(s.chips)", precision, defaultOf(r.chipID), s.plan?.description ?? ""]
                srow += ["", "", "", s.plan == nil ? "" : csvNumber(s.tokensPerSecondPerChip), "", "", "", "",
                         s.plan == nil ? "" : csvNumber(s.tokensPerSecond)]
                srow += Array(repeating: "", count: 7) + [s.plan == nil ? "" : csvNumber(s.efficiency * 100)]
                srow += (comparison.baselineID == nil ? [] : ["", ""]) + [s.note ?? ""]
                t.add(srow)
            }
        }
        return t.renderCSV()
    }
}
