import ChipModelKit

/// `roadmap --format csv`: one table, one number per cell. A `table` column says what a row
/// is: `part` rows carry the year, status, headline specs and each workload's throughput (with
/// `_low`/`_high` over the spec corners and the model-error band where the workload has one);
/// `attribution` rows carry one step's gain for one workload and its share by spec group.
extension RoadmapCommand {
    static func headlineValues(_ chip: Chip) -> [(String, SpecValue?)] {
        [("bf16_tflops", chip.matmulPeak(.bf16)), ("fp8_tflops", chip.matmulPeak(.fp8)),
         ("memory_gb", chip.memory.capacityGB), ("memory_gbps", chip.memory.bandwidthGBps),
         ("dies", chip.dies.computeDies), ("d2d_gbps", chip.d2d?.bandwidth.stated),
         ("scale_up_gbps", chip.scaleUp?.bandwidth.stated), ("tdp_w", chip.tdpW)]
    }

    /// `training tokens/s per chip` -> `training_tokens_per_s_per_chip`.
    static func slug(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased().replacingOccurrences(of: "/", with: " per ") {
            if ch.isLetter || ch.isNumber { out.append(ch) } else if !out.hasSuffix("_") && !out.isEmpty { out.append("_") }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out
    }

    static func csv(_ roadmap: Roadmap, workloads: [RoadmapWorkload]) -> String {
        func triple(_ n: String) -> [String] { [n, n + "_low", n + "_high"] }
        func spec(_ s: SpecValue?) -> [String] {
            guard let s else { return ["", "", ""] }
            return [csvNumber(s.nominal), csvNumber(s.low ?? s.nominal), csvNumber(s.high ?? s.nominal)]
        }
        let specNames = roadmap.entries.first.map { headlineValues($0.chip).map(\.0) } ?? []
        let banded = workloads.map { w in roadmap.entries.contains { w.modelError($0.chip) != nil } }
        var headers = ["table", "part"] + triple("year") + ["status"] + specNames.flatMap(triple)
        for (w, b) in zip(workloads, banded) {
            let unit = unitShort(w.unit)
            let name = slug(unit.hasPrefix(w.name + " ") ? unit : w.name + " " + unit)
            headers += triple(name) + (b ? [name + "_model_error_low", name + "_model_error_high"] : [])
        }
        headers += ["from_part", "workload", "from_value", "to_value", "gain_ratio", "attribution", "error"]
        var t = TextTable(headers: headers)
        let attributionWidth = 7
        for e in roadmap.entries {
            var row = ["part", e.chip.id] + spec(e.chip.year) + [e.chip.status.rawValue] + headlineValues(e.chip).flatMap { spec($0.1) }
            var errors: [String] = []
            for (w, b) in zip(workloads, banded) {
                switch e.throughput.first(where: { $0.workload == w.name })?.value {
                case let .success(r)?:
                    row += [csvNumber(r.nominal), csvNumber(r.low), csvNumber(r.high)]
                    if b {
                        if let band = w.modelError(e.chip) {
                            let truth = band.trueRange(low: r.low, high: r.high)
                            row += [csvNumber(truth.low), csvNumber(truth.high)]
                        } else { row += ["", ""] }
                    }
                case let .failure(err)?:
                    row += Array(repeating: "", count: b ? 5 : 3)
                    errors.append("\(w.name): \(err.message)")
                case nil:
                    row += Array(repeating: "", count: b ? 5 : 3)
                }
            }
            t.add(row + Array(repeating: "", count: attributionWidth - 1) + [errors.joined(separator: "; ")])
        }
        let partWidth = headers.count - attributionWidth - 2
        for e in roadmap.entries {
            for a in e.attributions {
                let shares = a.steps.map { s -> String in
                    let v = s.share.map { formatFixed($0 * 100, decimals: 0) + "%" } ?? (s.delta >= 0 ? "+" : "") + formatQuantity(s.delta)
                    return "\(s.spec) \(v)" + (s.note.map { " (\($0))" } ?? "")
                }
                t.add(["attribution", a.to] + Array(repeating: "", count: partWidth)
                      + [a.from, a.workload, csvNumber(a.fromValue), csvNumber(a.toValue), csvNumber(a.gainRatio), shares.joined(separator: ", "), ""])
            }
        }
        return t.renderCSV()
    }
}
