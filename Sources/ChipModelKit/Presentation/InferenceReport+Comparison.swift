/// The like-for-like parts of the serving comparison: which formats the chips ran in, the
/// `x vs ID` ratios, and the CSV (one number per cell, ranges as `_low`/`_high` columns).
extension InferenceReport {
    /// Throughput per chip (tokens/s, or samples/s for encoders and CNNs).
    static func perChip(_ e: InferenceEstimate) -> Double? {
        e.tokensPerSecondPerChip ?? e.samplesPerSecond.map { $0 / Double(max(e.chips, 1)) }
    }

    /// The weights (and GEMM, when different) format of an estimate, as shown beside a ratio.
    static func shortFormats(_ e: InferenceEstimate) -> String {
        guard let w = e.weightPrecision else { return "-" }
        if let c = e.computePrecision, c != w { return "\(w.rawValue)/\(c.rawValue) GEMM" }
        return w.rawValue
    }

    public static func baselineRatios(_ outcomes: [InferenceRunResult], _ comparison: ComparisonOptions) -> [String: BaselineRatio] {
        BaselineRatio.compute(outcomes.compactMap { o in
            o.nominal.map { (chipID: o.chipID, perChip: perChip($0), formats: shortFormats($0), key: $0.precisionLabel) }
        }, baselineID: comparison.baselineID)
    }

    /// One line naming the formats the chips ran in: the shared format (like for like, with the
    /// chips forced off their default), or each format with its chips and a warning when they
    /// differ.
    public static func formatsLine(_ outcomes: [InferenceRunResult], _ comparison: ComparisonOptions) -> String? {
        let ran = outcomes.compactMap { o in o.nominal.map { (o.chipID, $0.precisionLabel, $0.weightPrecision) } }
        guard !ran.isEmpty else { return nil }
        if let f = comparison.likeForLike {
            let forced = ran.compactMap { r in comparison.forcedOff(r.0, ran: r.2).map { "\(r.0) (default \($0.rawValue))" } }
            return "like for like: every chip runs \(f.rawValue), the best format they all share"
                + (forced.isEmpty ? "" : "; off their default: " + forced.joined(separator: ", "))
        }
        var groups: [(String, [String])] = []
        for (chip, label, _) in ran {
            if let i = groups.firstIndex(where: { $0.0 == label }) { groups[i].1.append(chip) } else { groups.append((label, [chip])) }
        }
        guard groups.count > 1 else { return nil }
        return "not like for like: " + groups.map { "\($0.0) on \($0.1.joined(separator: ", "))" }.joined(separator: "; ")
            + " (--like-for-like runs every chip in the best format they all share)"
    }

    /// The comparison members of one estimate's JSON object.
    static func comparisonJSON(_ chipID: String, _ e: InferenceEstimate, _ comparison: ComparisonOptions,
                               _ ratios: [String: BaselineRatio]) -> [(String, JSONValue)] {
        var m: [(String, JSONValue)] = [("defaultPrecision", .str(comparison.defaultFormats[chipID]?.rawValue)),
                                        ("likeForLike", .bool(comparison.likeForLike != nil))]
        if let b = comparison.baselineID { m.append(("vsBaseline", ratios[chipID].map { r in .object([("baseline", .string(b))] + r.jsonMembers) } ?? .null)) }
        return m
    }

    /// The CSV: one number per cell (empty where there is none), the range over the spec corners
    /// in `_low`/`_high` columns (equal to the value for a chip without ranged specs), and the
    /// headline throughput's range with the model's own error (`throughput_model_error_low/_high`).
    public static func csv(_ outcomes: [InferenceRunResult], comparison: ComparisonOptions = ComparisonOptions()) -> String {
        let ratios = baselineRatios(outcomes, comparison)
        let ranged = ["tokens_per_s", "tokens_per_s_per_chip", "samples_per_s", "ttft_ms", "tpot_ms", "latency_ms"]
        var headers = ["chip", "chips", "tp", "pp", "ep", "replicas", "batch", "attention", "precision", "gemm_precision", "kv_precision",
                       "default_precision"]
        for r in ranged { headers += [r, r + "_low", r + "_high"] }
        headers += ["throughput_model_error_low", "throughput_model_error_high"]
        headers += ["memory_gb_per_chip", "bound"] + comparison.baselineCSVHeaders + ["error"]
        var t = TextTable(headers: headers)
        let metrics: [(InferenceEstimate) -> Double?] = [\.tokensPerSecond, \.tokensPerSecondPerChip, \.samplesPerSecond, \.ttftMs, \.tpotMs, \.latencyMs]
        for o in outcomes {
            var row = [o.chipID]
            guard case let .success(r) = o.outcome else {
                row += Array(repeating: "", count: headers.count - 2)
                t.add(row + [o.failure ?? "no estimate"])
                continue
            }
            let e = r.nominal
            row += ["\(e.chips)", "\(e.plan.tp)", "\(e.plan.pp)", "\(e.plan.ep)", "\(e.plan.replicas)", "\(e.plan.batch)",
                    e.tokensPerSecond == nil ? "" : (e.plan.dpAttention ? "DP" : "TP"),
                    e.weightPrecision?.rawValue ?? "", (e.computePrecision ?? e.weightPrecision)?.rawValue ?? "", e.kvPrecision?.rawValue ?? "",
                    comparison.defaultFormats[o.chipID]?.rawValue ?? ""]
            for f in metrics {
                guard let v = f(e) else { row += ["", "", ""]; continue }
                let band = r.cornerEstimates.isEmpty ? RangedValue(exact: v) : r.range { f($0) ?? .nan }
                row += [csvNumber(v), csvNumber(band.low), csvNumber(band.high)]
            }
            let withError = throughputWithModelError(o)
            row += [withError.map { csvNumber($0.low) } ?? "", withError.map { csvNumber($0.high) } ?? ""]
            row += [csvNumber(e.memoryPerChipGB), e.binding]
            if comparison.baselineID != nil { row += ratios[o.chipID]?.csvCells ?? ["", ""] }
            t.add(row + [""])
        }
        return t.renderCSV()
    }
}
