import ChipModelKit

extension WhatIfCommand {
    /// The metric `--metric` names (the default follows `--inference`).
    static func metricKind(_ args: ParsedArguments) throws -> String {
        try args.choice("--metric", from: metricNames) ?? (args.has("--inference") ? "inference" : "training")
    }

    /// Workload parameters that are counts (whole numbers from 1).
    static var wholeParameters: Set<String> { Set(trainingParameters + inferenceParameters + ["batch", "seq"]) }

    /// The work of the sweeps (`WorkEstimate`): per template, grid points x evaluations per
    /// point (3 corners for a chip with ranged specs, else 1, plus the Monte Carlo samples) x
    /// the metric's cost per evaluation. Deriving each template with the `--set` values here
    /// also checks those values before any work.
    static func workEstimate(_ sweeps: [WhatIfSweep], _ args: ParsedArguments, samples: Int) throws -> WorkEstimate {
        let kind = try metricKind(args)
        let swept = Set(sweeps.flatMap { $0.axes.map(\.name) })
        let cost: Double
        switch kind {
        case "roofline": cost = WorkEstimate.Cost.rooflineEvaluation
        case "inference": cost = WorkEstimate.Cost.inferenceEstimate
        case "energy" where args.has("--inference"): cost = WorkEstimate.Cost.inferenceEstimate
        default:
            let fixed = ["tp", "pp", "dp"].allSatisfy { args.value("--" + $0) != nil || swept.contains($0) }
            cost = fixed ? WorkEstimate.Cost.trainingFixedDegrees : WorkEstimate.Cost.trainingSearch
        }
        var points = 0.0, evaluations = 0.0
        for s in sweeps {
            let grid = Double(SweepPoint.count(s.axes))
            for t in s.templates {
                let chip = try derived(t, s.sets, name: s.name, option: "--set")
                // The training metric adds its levers: one more search per resource at nominal.
                let levers = kind == "training" && !args.has("--no-levers") ? TrainingResource.allCases.count : 0
                let perPoint = Double((chip.hasRanges ? 3 : 1) + samples + levers)
                points += grid
                evaluations += grid * perPoint
            }
        }
        let perPoint = points > 0 ? evaluations / points : 1
        var detail = "\(formatCount(points)) point\(points == 1 ? "" : "s") x \(perPoint == perPoint.rounded() ? formatCount(perPoint) : String(perPoint)) evaluations"
        detail += " x \(formatCount(cost)) \(cost == 1 ? "unit" : "units") (\(kind)\(kind == "training" && cost == WorkEstimate.Cost.trainingSearch ? " plan search" : ""))"
        return WorkEstimate(units: evaluations * cost, what: detail)
    }

    /// Every `--vary` value checked before any work, one line and exit 64 for the first bad one:
    /// a workload parameter must be a whole number from 1; a spec value must give a chip that
    /// passes the spec checks (positive, plausible, whole where the key is a count), with the
    /// other `--set` values applied.
    static func checkValues(_ sweeps: [WhatIfSweep], sets: [(String, Double)], name: String?, _ args: ParsedArguments) throws {
        let kind = try metricKind(args)
        let upper = kind == "roofline" ? 10_000_000.0 : 100_000_000.0
        guard let sweep = sweeps.last else { return }
        let ordered = sweep.axes.filter { sweep.metric.parameters.contains($0.name) } + sweep.axes.filter { !sweep.metric.parameters.contains($0.name) }  // cheap checks first
        for axis in ordered {
            let text = args.all("--vary").first { (try? SweepAxis.parse($0))?.name == axis.name } ?? "\(axis.name)=..."
            if wholeParameters.contains(axis.name), sweep.metric.parameters.contains(axis.name) {
                for v in axis.values where !(v >= 1 && v <= upper && v == v.rounded()) {
                    throw UsageError("--vary \(text): \(axis.name) must be a whole number from 1 to \(formatCount(upper)), got \(formatQuantity(v))")
                }
                continue
            }
            if sweep.metric.parameters.contains(axis.name) { continue }  // checked by the metric (e.g. pue, prices)
            // The spec checks are bounds (positive, plausible, in range) and wholeness, so the
            // smallest, the largest and the first fractional value stand for the whole axis
            // (deriving a chip per value of a 10,000-value axis would be work in itself).
            var probes: [Double] = []
            for v in [axis.values.min(), axis.values.max(), axis.values.first { $0 != $0.rounded() }].compactMap({ $0 })
                where !probes.contains(v) { probes.append(v) }
            for v in probes {
                for t in sweep.templates {
                    _ = try derived(t, sets + [(axis.name, v)], name: name, option: "--vary \(text): value \(formatQuantity(v))")
                }
            }
        }
    }

    /// The template with `sets` applied, or a usage error naming `option` and the first
    /// problem (its key path and message, not the built-in spec file it came from).
    static func derived(_ t: ChipTemplate, _ sets: [(String, Double)], name: String?, option: String) throws -> Chip {
        do { return try t.derive(sets, name: name) } catch let e as InputError {
            let first = e.problems.first.map { $0.keyPath.isEmpty ? $0.message : "\($0.keyPath): \($0.message)" } ?? "\(e)"
            throw UsageError("\(option): \(first)")
        } catch let e as WhatIfKeyError {
            throw UsageError("\(option): \(e.description)")
        }
    }
}
