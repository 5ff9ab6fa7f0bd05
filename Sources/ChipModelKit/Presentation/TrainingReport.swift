/// The training comparison `chipmodel estimate` prints: one row per chip (a ranged estimate or
/// why none fits), the notes under the table, and with one chip (or `--top`) the breakdown.
public enum TrainingReport {
    /// What to show besides the table.
    public struct Options: Sendable {
        /// The breakdown of each estimate (`TrainingEstimator.explain`).
        public var details: Bool
        /// List this many best plans of each search.
        public var top: Int?
        /// Power, energy and cost per chip id (`PowerCostRuns.training`): a line under the
        /// table, `power` and `cost` members in JSON.
        public var energy: [String: Result<TrainingEnergyEstimate, PowerInputError>]
        /// Goodput per chip id (`GoodputReport`: a line under the table, details, JSON member).
        public var goodput: [String: TrainingGoodput]
        /// Vendor claims set beside the model, per chip id (printed with the details).
        public var claims: [String: [ClaimCheck]]
        /// Like-for-like format and the `x vs ID` baseline of a comparison.
        public var comparison = ComparisonOptions()
        /// What would help most per chip id (`TrainingLevers`: a line under the table, `levers` in JSON).
        public var levers: [String: TrainingLevers]
        /// The catalog system the run executed on (`--system`): a `system` member in JSON.
        public var system: JSONValue?
        public init(details: Bool = false, top: Int? = nil, energy: [String: Result<TrainingEnergyEstimate, PowerInputError>] = [:],
                    goodput: [String: TrainingGoodput] = [:], claims: [String: [ClaimCheck]] = [:],
                    levers: [String: TrainingLevers] = [:]) {
            self.levers = levers
            self.details = details
            self.top = top
            self.energy = energy
            self.goodput = goodput
            self.claims = claims
        }
    }

    /// The report in a format: the text table with its notes and details, CSV, or JSON.
    public static func render(_ results: [TrainingRunResult], run: TrainingRun, format: OutputFormat,
                              options: Options = Options(), skipped: [String] = []) -> String {
        switch format {
        case .json:
            var root: [(String, JSONValue)] = [("estimates", .array(results.map { r in
                var members = json(r, run: run) + comparisonJSON(r, results, options.comparison) + (options.energy[r.chipID].map(PowerCostReport.trainingJSON) ?? [])
                if let g = options.goodput[r.chipID] { members.append(("goodput", GoodputReport.json(g, claims: options.claims[r.chipID] ?? []))) }
                if let l = options.levers[r.chipID] { members.append(("levers", LeversReport.json(l))) }
                return .object(members)
            }))]
            if let system = options.system { root.insert(("system", system), at: 0) }
            if !skipped.isEmpty { root.append(("notes", .array(skipped.map { .string($0) }))) }
            return JSONValue.object(root).serialized() + "\n"
        case .csv:
            return csv(results, run: run, comparison: options.comparison)
        case .table:
            var out = "\(header(results, run: run))\n"
            if let line = formatsLine(results, options.comparison) { out += line + "\n" }
            out += table(results, run: run, comparison: options.comparison).renderText()
            for n in skipped + notes(results) { out += n + "\n" }
            for r in results { if let l = options.levers[r.chipID] { out += LeversReport.line(chipID: r.chipID, l) + "\n" } }
            for r in results {
                if let e = options.energy[r.chipID] { out += PowerCostReport.trainingLine(chipID: r.chipID, e, tokenBudget: run.tokenBudget) + "\n" }
            }
            for r in results {
                if let g = options.goodput[r.chipID] { out += GoodputReport.summary(g) + "\n" }
            }
            let lines = details(results, run: run, options: options)
            if !lines.isEmpty { out += lines.joined(separator: "\n") + "\n" }
            return out
        }
    }

    static func header(_ results: [TrainingRunResult], run: TrainingRun) -> String {
        let formats = Set(results.compactMap { (try? $0.outcome.get())?.nominal.workload.precision.rawValue })
        let precision = formats.count == 1 ? formats.first! : (run.precision?.rawValue ?? "precision per chip")
        return "Training \(run.model.name) on \(run.chips) chips: seq \(run.sequenceLength), global batch \(run.globalBatch) sequences, \(precision), days for \(formatQuantity(run.tokenBudget / 1e12)) T tokens"
    }

    /// `4.55 (3.99-6.8)`: the nominal value with the range over the corners, shown only when
    /// a corner moves it by more than 0.5%.
    static func cell(_ r: RangedValue, _ f: (Double) -> String) -> String {
        let n = r.nominal
        guard n != 0, abs(r.low - n) / abs(n) > 0.005 || abs(r.high - n) / abs(n) > 0.005 else { return f(n) }
        let (lo, hi) = (f(r.low), f(r.high))
        return lo == hi ? f(n) : "\(f(n)) (\(lo)-\(hi))"
    }

    public static func table(_ results: [TrainingRunResult], run: TrainingRun, comparison: ComparisonOptions = ComparisonOptions()) -> TextTable {
        let ratios = baselineRatios(results, comparison)
        let baseline = comparison.baselineHeader.map { [$0] } ?? []
        var table = TextTable(headers: ["chip", "chips", "precision", "best plan", "step s", "tokens/s/chip"] + baseline + ["tokens/s", "MFU", "mem GB", "days"])
        for r in results {
            switch r.outcome {
            case let .success(ranged):
                let e = ranged.nominal
                let f = e.workload.precision
                table.add([r.chipID, "\(run.chips)", comparison.formatCell(r.chipID, ran: f, label: f.rawValue),
                           e.plan.description,
                           cell(ranged.range(\.stepSeconds)) { formatQuantity($0) },
                           bandCell(ranged.range(\.tokensPerSecondPerChip), e.modelErrorBand)]
                          + baseline.map { _ in ratios[r.chipID]?.cell ?? "-" } + [
                           formatQuantity(e.tokensPerSecond),
                           cell(ranged.range(\.mfu)) { formatQuantity($0 * 100, decimals: 1) + "%" },
                           formatQuantity(e.memory.total / 1e9), cell(ranged.range(\.days)) { formatQuantity($0) }])
            case let .failure(e):
                table.add([r.chipID, "\(run.chips)", "-", "does not fit", "-", "-"] + baseline.map { _ in "-" } + ["-", "-",
                           e.neededBytes.map { formatQuantity($0 / 1e9) } ?? "-", "-"])
            }
        }
        return table
    }

    /// `900 (603-1027 spec; 700-1100 with model error)`: the nominal value, the spec-corner range
    /// when a corner moves it by more than 0.5%, and the range of the true value once the
    /// estimator's own cross-validated error (`ModelErrorBand`) is added.
    static func bandCell(_ r: RangedValue, _ band: ModelErrorBand) -> String {
        let n = r.nominal
        let truth = band.trueRange(low: r.low, high: r.high)
        let model = "\(formatQuantity(truth.low))-\(formatQuantity(truth.high)) with model error"
        guard n != 0, abs(r.low - n) / abs(n) > 0.005 || abs(r.high - n) / abs(n) > 0.005 else {
            return "\(formatQuantity(n)) (\(model))"
        }
        return "\(formatQuantity(n)) (\(formatQuantity(r.low))-\(formatQuantity(r.high)) spec; \(model))"
    }

    /// True when a corner moves the step time by more than 0.5%.
    static func showsRange(_ ranged: RangedEstimate<TrainingEstimate>) -> Bool {
        let r = ranged.range(\.stepSeconds)
        guard r.nominal > 0 else { return false }
        return abs(r.low - r.nominal) / r.nominal > 0.005 || abs(r.high - r.nominal) / r.nominal > 0.005
    }

    static func notes(_ results: [TrainingRunResult]) -> [String] {
        results.map { r in
            switch r.outcome {
            case let .success(ranged):
                let e = ranged.nominal
                // Branch and bound evaluates a share of the space (exactly the best plans of all of it).
                var line = "\(r.chipID): \(e.candidatesEvaluated) of \(e.searchSpace) candidates evaluated in \(formatQuantity(e.searchSeconds * 1e3)) ms"
                if showsRange(ranged) { line += "; estimated specs: ranges over the low/high spec corners, each with its own plan search" }
                if let crossing = TrainingEstimator.crossingNote(e) { line += "; " + crossing }
                for u in ranged.range(\.stepSeconds).unavailable { line += "; \(u)" }
                return line
            case let .failure(e):
                return "\(r.chipID): \(e.message)"
            }
        }
    }

    static func details(_ results: [TrainingRunResult], run: TrainingRun, options: Options) -> [String] {
        var out: [String] = []
        for r in results {
            if options.details || options.top != nil, case let .success(ranged) = r.outcome {
                let e = ranged.nominal
                out.append(contentsOf: TrainingEstimator.explain(e, ranges: ranged).map { "  " + $0 })
                if let g = options.goodput[r.chipID] {
                    out.append(contentsOf: GoodputReport.explain(g, claims: options.claims[r.chipID] ?? []).map { "  " + $0 })
                }
                if let top = options.top {
                    var t = TextTable(headers: ["#", "plan", "step s", "mem GB"])
                    for (i, p) in e.top.prefix(top).enumerated() {
                        t.add(["\(i + 1)", p.plan.description, formatQuantity(p.stepSeconds), formatQuantity(p.memoryBytes / 1e9)])
                    }
                    out.append("top \(min(top, e.top.count)) plans on \(r.chipID):")
                    out.append(contentsOf: t.renderText().split(separator: "\n").map { "  " + $0 })
                }
            }
            if let rows = r.scaling {
                var t = TextTable(headers: ["chips", "plan", "tokens/s", "tokens/s/chip", "efficiency"])
                for row in rows {
                    if let plan = row.plan {
                        t.add(["\(row.chips)", plan.description, formatQuantity(row.tokensPerSecond),
                               formatQuantity(row.tokensPerSecondPerChip), formatQuantity(row.efficiency * 100, decimals: 1) + "%"])
                    } else {
                        t.add(["\(row.chips)", row.note ?? "-", "-", "-", "-"])
                    }
                }
                out.append("scaling on \(r.chipID) (global batch \(run.globalBatch) held fixed, best plan per size):")
                out.append(contentsOf: t.renderText().split(separator: "\n").map { "  " + $0 })
            }
        }
        return out
    }

    public static func json(_ r: TrainingRunResult, run: TrainingRun) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)]
        switch r.outcome {
        case let .success(ranged):
            members = estimateJSON(ranged.nominal)
            if !ranged.corners.isEmpty {
                func side(_ pick: (RangedValue) -> Double) -> JSONValue {
                    .object([("stepTimeSeconds", .num(pick(ranged.range(\.stepSeconds)))),
                             ("tokensPerSecondPerChip", .num(pick(ranged.range(\.tokensPerSecondPerChip)))),
                             ("mfu", .num(pick(ranged.range(\.mfu)))), ("days", .num(pick(ranged.range(\.days))))])
                }
                var range: [(String, JSONValue)] = [("policy", .string("spec corners, each with its own plan search")),
                                                     ("low", side(\.low)), ("high", side(\.high))]
                let failed = ranged.range(\.stepSeconds).unavailable
                if !failed.isEmpty { range.append(("unavailable", .array(failed.map { .string($0) }))) }
                let at = members.firstIndex { $0.0 == "usesEstimatedSpecs" }.map { $0 + 1 } ?? members.count
                members.insert(("range", .object(range)), at: at)
            }
        case let .failure(e):
            members = [("chip", .string(r.chipID)), ("chips", .int(run.chips)), ("model", .string(run.model.id)),
                       ("feasible", .bool(false)), ("reason", .string(e.message)),
                       ("memoryNeededPerChipGB", .num(e.neededBytes.map { $0 / 1e9 })),
                       ("memoryUsablePerChipGB", .num(e.usableBytes.map { $0 / 1e9 })),
                       ("candidatesEvaluated", .int(e.candidatesEvaluated))]
        }
        if let rows = r.scaling {
            members.append(("scaling", .array(rows.map { row in
                .object([("chips", .int(row.chips)), ("plan", row.plan.map { .object($0.jsonMembers) } ?? .null),
                         ("tokensPerSecond", .num(row.tokensPerSecond)),
                         ("tokensPerSecondPerChip", .num(row.tokensPerSecondPerChip)),
                         ("scalingEfficiency", row.plan == nil ? .null : .num(row.efficiency)), ("note", .str(row.note))])
            })))
        }
        return members
    }

    /// One estimate as JSON members (every number it was made from).
    public static func estimateJSON(_ e: TrainingEstimate) -> [(String, JSONValue)] {
        let b = e.breakdown
        return [
            ("chip", .string(e.chipID)), ("chips", .int(e.chips)), ("model", .string(e.workload.model.id)),
            ("feasible", .bool(true)),
            ("sequenceLength", .int(e.workload.sequenceLength)), ("globalBatch", .int(e.workload.globalBatch)),
            ("precision", .string(e.workload.precision.rawValue)),
            ("plan", .object(e.plan.jsonMembers)), ("microbatches", .int(e.microbatches)),
            ("stepTimeSeconds", .num(e.stepSeconds)), ("tokensPerSecondPerChip", .num(e.tokensPerSecondPerChip)),
            ("tokensPerSecond", .num(e.tokensPerSecond)), ("mfu", .num(e.mfu)), ("hfu", .num(e.hfu)),
            ("mfuPercent", .num(e.mfu * 100)), ("hfuPercent", .num(e.hfu * 100)),
            ("peakTflops", .num(e.peakFlops / 1e12)),
            ("memoryPerChipGB", .num(e.memory.total / 1e9)),
            ("memory", .object([("weightsGB", .num(e.memory.weights / 1e9)), ("gradientsGB", .num(e.memory.gradients / 1e9)),
                                ("optimizerGB", .num(e.memory.optimizer / 1e9)), ("activationsGB", .num(e.memory.activations / 1e9)),
                                ("workingSetGB", .num(e.memory.workingSet / 1e9)), ("fragmentationGB", .num(e.memory.fragmentation / 1e9)),
                                ("reserveGB", .num(e.memory.reserve / 1e9)), ("inFlightChunks", .int(e.memory.inFlightChunks)),
                                ("layersPerChunk", .num(e.memory.layersPerChunk)),
                                ("perLayerActivationsGB", .num(e.memory.perLayerActivations / 1e9)),
                                ("usableGB", .num(e.memory.usable / 1e9)), ("capacityGB", .num(e.memory.capacity / 1e9))])),
            ("modelErrorBand", .object([("low", .num(e.modelErrorBand.low)), ("high", .num(e.modelErrorBand.high)),
                                        ("basis", .string(e.modelErrorBand.basis)), ("cases", .int(e.modelErrorBand.cases))])),
            ("scaleUpDomain", .int(e.scaleUpDomain)),
            ("scaleUpCrossing", .array(e.scaleUpCrossings.map { .string($0) })),
            ("breakdown", .object([("forwardSeconds", .num(b.forward)), ("backwardSeconds", .num(b.backward)),
                                   ("recomputeSeconds", .num(b.recompute)), ("bubbleSeconds", .num(b.bubble)),
                                   ("tpExposedSeconds", .num(b.tpExposed)), ("ppExposedSeconds", .num(b.ppExposed)),
                                   ("dpExposedSeconds", .num(b.dpExposed)), ("epExposedSeconds", .num(b.epExposed)),
                                   ("cpExposedSeconds", .num(b.cpExposed)), ("optimizerSeconds", .num(b.optimizer)),
                                   ("overheadSeconds", .num(b.overhead))])),
            ("tokenBudget", .num(e.workload.tokenBudget)), ("days", .num(e.days)),
            ("candidatesEvaluated", .int(e.candidatesEvaluated)), ("searchSpace", .int(e.searchSpace)),
            ("searchSeconds", .num(e.searchSeconds)),
            ("usesEstimatedSpecs", .bool(e.usesEstimatedSpecs)),
            ("top", .array(e.top.map { r in
                .object([("plan", .object(r.plan.jsonMembers)), ("stepTimeSeconds", .num(r.stepSeconds)),
                         ("memoryPerChipGB", .num(r.memoryBytes / 1e9))])
            })),
        ]
    }
}
