import ChipModelKit
import Foundation

/// `chipmodel roadmap`: Show a vendor's parts in order with estimated delivered throughput.
public enum RoadmapCommand: CLICommand {
    public static let name = "roadmap"
    public static let abstract = "Show a vendor's parts in order with estimated delivered throughput."
    public static let usage = "roadmap VENDOR [--model ID|FILE] [--format table|json|csv]"
    public static let discussion = """
    Lists the vendor's chips (matched case-insensitively, e.g. 'biren', 'nvidia'): data-center parts first, then
    edge parts (spec key 'segment'), each by year, then status (shipping, announced, roadmap), then id; with headline
    specs and throughput on a standard training and a standard inference workload, each with the low-high range
    of the chip's ranged spec values (corner evaluation).

    Attribution: each part is compared with its predecessor, the latest part of the same segment from an earlier
    year (an edge card never sits between data-center generations). The spec groups are switched from the old
    part's values to the new one's one at a time in this fixed order, measuring the workload after each switch:
      compute peaks, memory bandwidth, memory capacity, on-chip memory, compute dies, d2d link,
      scale-up, scale-out, efficiency family.
    A group's share is its change over the whole change (shares sum to 100%; the order matters when
    specs interact, e.g. a compute gain only counts once memory stops binding).

    Workloads (the estimators of 'estimate'):
      training   Llama-3-70B pre-training, seq 8192, global batch 512 (4 Mi tokens), bf16 (fp16 where the chip lacks
                 bf16), 1,024 chips (--training-chips), every plan field searched; tokens/s per chip.
      inference  Llama-3-70B serving, 2048 in / 256 out tokens, offline, 8 chips (--inference-chips), fp8 where the
                 chip has it (else bf16/fp16), plan and batch searched; tokens/s of the 8 chips.
    Speed: a part's nominal corner runs the full training plan search; its low/high corners re-rank that search's
    5 best plans (a full search when none fits). The attribution's hybrid chips evaluate only the 5 best plans of
    each endpoint part's full search (exactly, memory checked) and take the fastest that fits; the endpoints keep
    their full-search values, so the steps still sum to the whole change. The inference search runs in full.
    --roofline uses the roofline layer metric instead (one chip, one Llama-3-70B layer: training batch 8 x 4096
    in BF16, decode at batch 32, context 4096, in FP8 where the chip has it).
    """
    public static let options: [OptionSpec] = [
        .value("--model", "ID|FILE", "Model of the standard workloads (default llama3-70b)."),
        .value("--parts", "ID,ID,...", "Only these parts, in this order (e.g. one product line: br106,br166,br20x,br30x)."),
        .value("--training-chips", "N", "Chips of the standard training run (default 1024)."),
        .value("--inference-chips", "N", "Chips of the standard inference run (default 8)."),
        .flag("--roofline", "Use the roofline layer metric (one chip, one layer) instead of the estimators: a quick first look."),
        HTMLReportOutput.option,
    ]
    public static let maxPositionals = 1

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        guard let vendor = args.positionals.first else {
            throw UsageError("roadmap needs a VENDOR (e.g. 'chipmodel roadmap biren')")
        }
        let catalog = try ChipModelCLI.catalog(args, context)
        do { _ = try Roadmap.parts(vendor: vendor, in: catalog) } catch {
            // A usage error (exit 64 with the usage line), naming the vendors there are.
            throw UsageError("\(error); known vendors: " + Roadmap.vendors(in: catalog).joined(separator: ", "))
        }
        let only = args.value("--parts").map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let ws = try workloads(args, context)
        let progress = SweepProgress(context: context, total: try only?.count ?? Roadmap.parts(vendor: vendor, in: catalog).count,
                                     label: "roadmap", unit: "parts")
        let roadmap = try progress.run { try Roadmap.build(vendor: vendor, catalog: catalog, workloads: ws, only: only, partDone: progress.step) }
        context.addReportChips(roadmap.entries.map(\.chip))
        render(roadmap, workloads: ws, format: format, context: context)
        return 0
    }

    /// The standard workloads. LEAD: when the estimators land, return a `RoadmapWorkload`
    /// named "training" whose `evaluate(params)` is the training estimator's tokens/s for the
    /// standard training run on `params` (a `ChipParameters` at one corner), and one named
    /// "inference" for the inference estimator's tokens/s; keep the roofline ones as the
    /// fallback if an estimator cannot run a chip.
    static func workloads(_ args: ParsedArguments, _ context: CommandContext) throws -> [RoadmapWorkload] {
        let model = try loadModel(args.value("--model") ?? "llama3-70b", context)
        if args.has("--roofline") { return RoadmapWorkload.rooflineDefaults(model: model) }
        guard model.isDecoder else {
            throw UsageError("the roadmap workloads train and serve a decoder LLM; '\(model.id)' is \(model.architecture.rawValue)")
        }
        let training = TrainingRun(model: model, chips: try args.int("--training-chips", range: 1...1_000_000) ?? 1024)
        let inference = InferenceRun(model: model, chips: try args.int("--inference-chips", range: 1...1_000_000) ?? 8)
        return RoadmapWorkload.estimatorDefaults(model: model, training: training, inference: inference)
    }

    static func headline(_ chip: Chip) -> [(String, String)] {
        func v(_ s: SpecValue?) -> String { s?.formatted() ?? "-" }
        return [
            ("bf16 TFLOPS", v(chip.matmulPeak(.bf16))),
            ("fp8 TFLOPS", v(chip.matmulPeak(.fp8))),
            ("memory GB", v(chip.memory.capacityGB)),
            ("memory GB/s", v(chip.memory.bandwidthGBps)),
            ("dies", formatQuantity(chip.dies.computeDies.nominal)),
            ("d2d GB/s", v(chip.d2d?.bandwidth.stated)),
            ("scale-up GB/s", v(chip.scaleUp?.bandwidth.stated)),
            ("TDP W", v(chip.tdpW)),
        ]
    }

    static func ranged(_ r: RangedValue, modelError: ModelErrorBand? = nil) -> String {
        var m = MetricValue(name: "", unit: "", r)
        m.modelError = modelError
        return m.formatted
    }

    static func render(_ roadmap: Roadmap, workloads: [RoadmapWorkload], format: OutputFormat, context: CommandContext) {
        if format == .json {
            var entries: [JSONValue] = []
            for e in roadmap.entries {
                var m: [(String, JSONValue)] = [("id", .string(e.chip.id)), ("name", .string(e.chip.name)),
                                                ("year", .num(e.chip.year.nominal)), ("status", .string(e.chip.status.rawValue)),
                                                ("predecessor", .str(e.predecessor))]
                m.append(("specs", .object(headline(e.chip).map { ($0.0, .string($0.1)) })))
                m.append(("throughput", .object(e.throughput.map { t in
                    switch t.value {
                    case let .success(r):
                        var o: [(String, JSONValue)] = [("nominal", .num(r.nominal)), ("low", .num(r.low)), ("high", .num(r.high))]
                        if let b = workloads.first(where: { $0.name == t.workload })?.modelError(e.chip) {
                            let truth = b.trueRange(low: r.low, high: r.high)
                            o.append(("modelErrorBand", modelErrorJSON(b)))
                            o.append(("withModelError", .object([("low", .num(truth.low)), ("high", .num(truth.high))])))
                        }
                        return (t.workload, .object(o))
                    case let .failure(err): return (t.workload, .object([("error", .string(err.message))]))
                    }
                })))
                m.append(("attribution", .array(e.attributions.map { a in
                    .object([("workload", .string(a.workload)), ("from", .string(a.from)), ("to", .string(a.to)),
                             ("fromValue", .num(a.fromValue)), ("toValue", .num(a.toValue)), ("gain", .num(a.gainRatio)),
                             ("steps", .array(a.steps.map { s in
                                 .object([("spec", .string(s.spec)), ("metricAfter", .num(s.metricAfter)),
                                          ("delta", .num(s.delta)), ("share", .num(s.share)), ("note", .str(s.note))])
                             }))])
                })))
                entries.append(.object(m))
            }
            let doc = JSONValue.object([
                ("vendor", .string(roadmap.vendor)),
                ("workloads", .array(workloads.map { .object([("name", .string($0.name)), ("unit", .string($0.unit)), ("label", .string($0.label))]) })),
                ("attributionOrder", .array(RoadmapAttribution.order.map { .string($0.0) })),
                ("parts", .array(entries)),
            ])
            context.out(doc.serialized() + "\n")
            return
        }
        let specNames = roadmap.entries.first.map { headline($0.chip).map(\.0) } ?? []
        var headers = ["part", "year", "status"] + specNames
        headers += workloads.map { w in
            let u = unitShort(w.unit)
            return u.hasPrefix(w.name + " ") ? u : "\(w.name) \(u)"
        }
        var t = TextTable(headers: headers)
        for e in roadmap.entries {
            var row = [e.chip.id, e.chip.year.formatted(), e.chip.status.rawValue] + headline(e.chip).map(\.1)
            for w in workloads {
                switch e.throughput.first(where: { $0.workload == w.name })?.value {
                case let .success(r)?: row.append(ranged(r, modelError: w.modelError(e.chip)))
                default: row.append("n/a")
                }
            }
            t.add(row)
        }
        // Attribution table: one row per step and workload.
        var at = TextTable(headers: ["step", "workload", "from", "to", "gain", "attribution (share of the change, fixed order)"])
        for e in roadmap.entries {
            for a in e.attributions {
                // Text shows the groups that moved the workload (>= 0.5% or flagged); JSON has all.
                let shown = a.steps.filter { s in s.note != nil || (s.share.map { abs($0) >= 0.005 } ?? true) }
                var shares = shown.map { s -> String in
                    let pct = s.share.map { formatFixed($0 * 100, decimals: 0) + "%" } ?? (s.delta >= 0 ? "+" : "") + formatQuantity(s.delta)
                    return "\(s.spec) \(pct)" + (s.note.map { " (\($0))" } ?? "")
                }
                if shown.count < a.steps.count { shares.append("other changed specs 0%") }
                let unchanged = a.steps.allSatisfy { $0.share == nil }
                let text = a.steps.isEmpty ? "no spec changed"
                    : unchanged ? "no change (changed specs: \(a.steps.map(\.spec).joined(separator: ", ")))" : shares.joined(separator: ", ")
                at.add(["\(a.from) -> \(a.to)", a.workload, formatQuantity(a.fromValue), formatQuantity(a.toValue),
                        a.gainRatio.isFinite ? formatFixed(a.gainRatio, decimals: 2) + "x" : "-", text])
            }
        }
        if format == .csv {
            context.out(csv(roadmap, workloads: workloads))
            return
        }
        context.out("\(roadmap.vendor) roadmap\n\n")
        context.out(t.renderText())
        if !at.rows.isEmpty {
            context.out("\nattribution of each step's gain (nominal specs):\n\n")
            context.out(at.renderText())
        }
        context.out("\nworkloads:\n")
        for w in workloads { context.out("  \(w.name): \(w.unit): \(w.label)\n") }
        context.out("ranges: low-high over each chip's ranged (estimated/roadmap) spec values, corner evaluation\n")
        if workloads.contains(where: { w in roadmap.entries.contains { w.modelError($0.chip) != nil } }) {
            context.out("model error: the estimator's cross-validated error on the training column added to the spec range (leave-one-source-out for calibrated families, the wider leave-one-family-out band otherwise; chipmodel validate --cross-validate)\n")
        }
        context.out("attribution order: \(RoadmapAttribution.order.map(\.0).joined(separator: ", ")); 'compute peaks' includes formats a part adds (FP8)\n")
        var caveats: [String] = []
        for e in roadmap.entries {
            for th in e.throughput {
                if case let .failure(err) = th.value { context.out("n/a: \(e.chip.id) \(th.workload): \(err.message)\n") }
            }
            for w in workloads { if let c = w.caveat(e.chip), !caveats.contains(c) { caveats.append(c) } }
        }
        for c in caveats { context.out("note: \(c)\n") }
    }

    static func unitShort(_ unit: String) -> String {
        unit.replacingOccurrences(of: " (roofline layer)", with: "").replacingOccurrences(of: "training ", with: "")
            .replacingOccurrences(of: "decode ", with: "")
    }
}
