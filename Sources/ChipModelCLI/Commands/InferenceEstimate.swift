import Foundation
import ChipModelKit

/// Options only `estimate --inference` takes (owned by the inference estimator).
public let inferenceOptions: [OptionSpec] = [
    .flag("--inference", "Estimate inference serving instead of training."),
    .value("--scenario", "offline|server|single-stream", "Inference scenario (default: offline)."),
    .value("--input-tokens", "N", "Inference: prompt tokens per request (default 2048; BERT: sequence length, 384)."),
    .value("--output-tokens", "N", "Inference: generated tokens per request (default 256)."),
    .value("--ttft-ms", "MS", "Inference: time-to-first-token bound (server default 2000; BERT/ResNet: p99 latency bound)."),
    .value("--tpot-ms", "MS", "Inference: time-per-output-token bound (server default 200)."),
    .value("--replicas", "N", "Inference: model replicas (each tp x pp chips); default: as many as fit."),
    .value("--kv-precision", "FORMAT", "Inference: KV-cache format (default: fp8 with 8-bit-or-smaller weights where the chip has FP8, else 16-bit)."),
    .value("--svg", "FILE", "Inference: write the throughput-vs-latency plot to FILE (SVG)."),
]

/// The chips `estimate --inference` compares when no `--chip` is given.
public let defaultInferenceChips = ["br166", "br20x", "a100-sxm4-80gb", "h100-sxm5-80gb", "h20", "ascend-910b"]

/// One chip's outcome: an estimate at each corner, or why there is none.
struct InferenceOutcome {
    var chipID: String
    var nominal: InferenceEstimate?
    var low: InferenceEstimate?
    var high: InferenceEstimate?
    var failure: String?
}

/// `chipmodel estimate --inference ...`
func runInferenceEstimate(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
    let format = try ChipModelCLI.format(args)
    let catalog = try ChipModelCLI.catalog(args, context)
    let model = try loadModel(args.value("--model") ?? "llama3-70b", context)
    let scenario = InferenceScenario(rawValue: try args.choice("--scenario", from: InferenceScenario.allCases.map(\.rawValue)) ?? "offline") ?? .offline
    let chips = try args.int("--chips", range: 1...1_000_000) ?? 8
    let isLLM = model.isDecoder
    let defaultInput = isLLM ? 2048 : (model.architecture == .bert ? 384 : 0)
    let input = try args.int("--input-tokens", range: isLLM ? 1...1_000_000 : 1...4096) ?? defaultInput
    let output = try args.int("--output-tokens", range: 1...1_000_000) ?? (isLLM ? 256 : 0)
    if !isLLM, args.value("--output-tokens") != nil {
        throw UsageError("--output-tokens applies to decoder LLMs; \(model.id) is a \(model.architecture.rawValue) model")
    }
    let ttft = try args.double("--ttft-ms", range: 1e-3...1e9)
    let tpot = try args.double("--tpot-ms", range: 1e-3...1e9)
    let batch = try args.int("--batch", range: 1...1_000_000)
    var plan = PlanConstraints()
    plan.tp = try args.int("--tp", range: 1...65_536)
    plan.pp = try args.int("--pp", range: 1...65_536)
    plan.ep = try args.int("--ep", range: 1...65_536)
    plan.replicas = try args.int("--replicas", range: 1...1_000_000)
    let domain = try args.int("--scale-up-domain", range: 1...1_000_000)
    let perReplica = (plan.tp ?? 1) * (plan.pp ?? 1)
    if perReplica > chips { throw UsageError("--tp x --pp = \(perReplica) exceeds --chips \(chips)") }
    if let r = plan.replicas, r * perReplica > chips {
        throw UsageError("--replicas \(r) x \(perReplica) chips per replica exceeds --chips \(chips)")
    }
    if let ep = plan.ep, ep > 1 {
        if !model.isMoE { throw UsageError("--ep applies to mixture-of-experts models; \(model.id) is dense") }
        if let tp = plan.tp, tp % ep != 0 { throw UsageError("--ep \(ep) must divide --tp \(tp) (experts are split inside the TP group)") }
        if model.experts % ep != 0 { throw UsageError("--ep \(ep) must divide the \(model.experts) experts of \(model.id)") }
    }
    if let tp = plan.tp, isLLM, model.heads % tp != 0 {
        throw UsageError("--tp \(tp) must divide the \(model.heads) attention heads of \(model.id)")
    }
    var kvPrecision: NumberFormat?
    if let s = args.value("--kv-precision") {
        guard let f = NumberFormat(name: s) else {
            throw UsageError("invalid value '\(s)' for --kv-precision; expected one of: \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        kvPrecision = f
    }
    let explicitChips = args.all("--chip")
    var ids: [String] = []
    if explicitChips.isEmpty {
        for id in defaultInferenceChips {
            if catalog.ids.contains(id) { ids.append(id) } else { context.err("note: chip '\(id)' is not in the catalog; skipped\n") }
        }
    } else {
        for id in explicitChips { ids.append(try catalog.chip(id).id) }
    }
    let givenPrecision = try args.value("--precision").map { _ in try parsePrecision(args, default: .bf16) }

    var outcomes: [InferenceOutcome] = []
    for id in ids {
        let chip = try catalog.chip(id)
        let nominal = ChipParameters(chip: chip, corner: .nominal)
        let precision = givenPrecision ?? defaultPrecision(nominal, model: model)
        let workload = InferenceWorkload(model: model, scenario: scenario, inputTokens: input, outputTokens: output,
                                         precision: precision, kvPrecision: kvPrecision, ttftBoundMs: ttft, tpotBoundMs: tpot,
                                         emulate: args.has("--emulate"))
        var o = InferenceOutcome(chipID: id)
        do {
            o.nominal = try InferenceEstimator.estimate(workload, chip: nominal, chips: chips, constraints: plan, batch: batch,
                                                        scaleUpDomain: domain)
            if chip.hasRanges {
                o.low = try? InferenceEstimator.estimate(workload, chip: ChipParameters(chip: chip, corner: .low), chips: chips,
                                                         constraints: plan, batch: batch, scaleUpDomain: domain)
                o.high = try? InferenceEstimator.estimate(workload, chip: ChipParameters(chip: chip, corner: .high), chips: chips,
                                                          constraints: plan, batch: batch, scaleUpDomain: domain)
            }
        } catch let e as DoesNotFitError {
            o.failure = e.message
        } catch let e as UnsupportedFormatError {
            o.failure = e.description
        } catch let e as MissingSpecError {
            o.failure = e.description
        }
        outcomes.append(o)
    }

    if let svg = args.value("--svg") {
        try context.writeFile(svg, inferenceSVG(outcomes, model: model, scenario: scenario))
    }
    switch format {
    case .json: context.out(inferenceJSON(outcomes, model: model, scenario: scenario, chips: chips).serialized(pretty: true) + "\n")
    case .csv: context.out(inferenceTable(outcomes).renderCSV())
    case .table:
        var head = "\(model.name), \(scenario.rawValue)"
        if isLLM { head += ", \(input) in / \(output) out tokens" } else if model.architecture == .bert { head += ", sequence \(input)" }
        head += ", \(chips) chips each\n\n"
        context.out(head)
        context.out(inferenceTable(outcomes).renderText())
        for o in outcomes where o.low != nil || o.high != nil {
            context.out("\(o.chipID): ranged specs; throughput low \(formatQuantity(throughput(o.low))) / high \(formatQuantity(throughput(o.high)))\n")
        }
        let shown = outcomes.compactMap(\.nominal)
        if shown.count == 1, let e = shown.first {
            context.out("\nThroughput vs latency, \(e.chipID) (tp \(e.plan.tp) pp \(e.plan.pp) x \(e.plan.replicas)):\n")
            context.out(sweepTable(e).renderText())
            context.out("\nBreakdown:\n" + e.explanation.map { "  " + $0 }.joined(separator: "\n") + "\n")
        } else if shown.count > 1 {
            context.out("\n(pass one --chip for the throughput-vs-latency table and the breakdown; --svg FILE plots all)\n")
        }
    }
    return 0
}

/// FP8 where the chip has it (INT8 for a CNN/encoder on a chip without FP8), else 16-bit.
func defaultPrecision(_ chip: ChipParameters, model: ModelSpec) -> NumberFormat {
    if chip.matmulTflops[.fp8] != nil { return .fp8 }
    if !model.isDecoder, chip.matmulTflops[.int8] != nil { return .int8 }
    if chip.matmulTflops[.bf16] != nil { return .bf16 }
    return .fp16
}

func throughput(_ e: InferenceEstimate?) -> Double {
    guard let e else { return .nan }
    return e.tokensPerSecond ?? e.samplesPerSecond ?? .nan
}

func fmt(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "-" }
    return formatQuantity(x)
}

func inferenceTable(_ outcomes: [InferenceOutcome]) -> TextTable {
    var t = TextTable(headers: ["chip", "chips", "tp", "pp", "ep", "replicas", "batch", "attention", "tokens/s", "tokens/s/chip", "samples/s",
                                "TTFT ms", "TPOT ms", "latency ms", "GB/chip", "bound"])
    for o in outcomes {
        guard let e = o.nominal else {
            t.add([o.chipID, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", o.failure ?? "no estimate"])
            continue
        }
        let attention = e.tokensPerSecond == nil ? "-" : (e.plan.dpAttention ? "DP" : "TP")
        t.add([e.chipID, "\(e.chips)", "\(e.plan.tp)", "\(e.plan.pp)", "\(e.plan.ep)", "\(e.plan.replicas)", "\(e.plan.batch)", attention,
               fmt(e.tokensPerSecond), fmt(e.tokensPerSecondPerChip), fmt(e.samplesPerSecond), fmt(e.ttftMs), fmt(e.tpotMs),
               fmt(e.latencyMs), fmt(e.memoryPerChipGB), e.binding])
    }
    return t
}

func sweepTable(_ e: InferenceEstimate) -> TextTable {
    let llm = e.tokensPerSecond != nil
    var t = TextTable(headers: llm ? ["batch", "tokens/s", "tokens/s/chip", "TTFT ms", "TPOT ms", "meets bounds"]
                                   : ["batch", "samples/s", "samples/s/chip", "batch latency ms", "meets bounds"])
    for r in e.sweep {
        if llm {
            t.add(["\(r.batch)", fmt(r.throughput), fmt(r.throughput / Double(e.chips)), fmt(r.ttftMs), fmt(r.tpotMs), r.meetsBounds ? "yes" : "no"])
        } else {
            t.add(["\(r.batch)", fmt(r.throughput), fmt(r.throughput / Double(e.chips)), fmt(r.latencyMs), r.meetsBounds ? "yes" : "no"])
        }
    }
    return t
}

func metricsJSON(_ e: InferenceEstimate?) -> JSONValue {
    guard let e else { return .null }
    return .object([
        ("tokensPerSecond", .num(e.tokensPerSecond)), ("tokensPerSecondPerChip", .num(e.tokensPerSecondPerChip)),
        ("samplesPerSecond", .num(e.samplesPerSecond)), ("ttftMs", .num(e.ttftMs)), ("tpotMs", .num(e.tpotMs)),
        ("latencyMs", .num(e.latencyMs)),
    ])
}

func inferenceJSON(_ outcomes: [InferenceOutcome], model: ModelSpec, scenario: InferenceScenario, chips: Int) -> JSONValue {
    var items: [JSONValue] = []
    for o in outcomes {
        guard let e = o.nominal else {
            var members: [(String, JSONValue)] = [("chip", .string(o.chipID)), ("chips", .number(Double(chips))), ("model", .string(model.id)),
                                                  ("scenario", .string(scenario.rawValue)), ("plan", .null)]
            for key in ["tokensPerSecond", "tokensPerSecondPerChip", "samplesPerSecond", "ttftMs", "tpotMs", "latencyMs", "memoryPerChipGB"] {
                members.append((key, .null))
            }
            members.append(("error", .str(o.failure)))
            items.append(.object(members))
            continue
        }
        let plan = JSONValue.object(e.plan.json)
        let mem = JSONValue.object([
            ("weightsGB", .num(e.memory.weightsBytes / 1e9)), ("kvCacheGB", .num(e.memory.kvUsedBytes / 1e9)),
            ("workspaceGB", .num(e.memory.workspaceBytes / 1e9)), ("capacityGB", .num(e.memory.capacityBytes / 1e9)),
        ])
        let sweep = JSONValue.array(e.sweep.map { r in
            .object([("batch", .number(Double(r.batch))), ("throughput", .num(r.throughput)), ("ttftMs", .num(r.ttftMs)),
                     ("tpotMs", .num(r.tpotMs)), ("latencyMs", .num(r.latencyMs)), ("meetsBounds", .bool(r.meetsBounds))])
        })
        items.append(.object([
            ("chip", .string(e.chipID)), ("chips", .number(Double(e.chips))), ("model", .string(e.modelID)),
            ("scenario", .string(e.scenario.rawValue)), ("plan", plan),
            ("tokensPerSecond", .num(e.tokensPerSecond)), ("tokensPerSecondPerChip", .num(e.tokensPerSecondPerChip)),
            ("samplesPerSecond", .num(e.samplesPerSecond)), ("ttftMs", .num(e.ttftMs)), ("tpotMs", .num(e.tpotMs)),
            ("latencyMs", .num(e.latencyMs)), ("memoryPerChipGB", .num(e.memoryPerChipGB)),
            ("memory", mem), ("bound", .string(e.binding)),
            ("low", metricsJSON(o.low)), ("high", metricsJSON(o.high)),
            ("usesEstimatedSpecs", .bool(e.usesEstimatedSpecs)), ("sweep", sweep),
        ]))
    }
    return .object([("estimates", .array(items))])
}

/// Throughput per chip (y) against TPOT (LLM) or batch latency (encoder/CNN) (x), one line per
/// chip, as a plain SVG document.
func inferenceSVG(_ outcomes: [InferenceOutcome], model: ModelSpec, scenario: InferenceScenario) -> String {
    let ests = outcomes.compactMap(\.nominal)
    let llm = model.isDecoder
    let W = 820.0, H = 480.0, left = 80.0, right = 250.0, top = 40.0, bottom = 60.0
    let pw = W - left - right, ph = H - top - bottom
    var xs: [Double] = [], ys: [Double] = []
    for e in ests {
        for r in e.sweep {
            if let x = llm ? r.tpotMs : r.latencyMs, x.isFinite, x > 0 { xs.append(x) }
            let y = r.throughput / Double(e.chips)
            if y.isFinite { ys.append(y) }
        }
    }
    let xMax = niceCeil(xs.max() ?? 1), yMax = niceCeil(ys.max() ?? 1)
    // Logarithmic x when the latencies span more than two decades (encoder/CNN batch sweeps).
    var xMin = 1.0
    while xMin * 10 <= (xs.min() ?? 1) { xMin *= 10 }
    while xMin > (xs.min() ?? 1) { xMin /= 10 }
    let logX = xMax / xMin > 100
    func px(_ x: Double) -> Double {
        if logX { return left + (log10(max(x, xMin)) - log10(xMin)) / (log10(xMax) - log10(xMin)) * pw }
        return left + x / xMax * pw
    }
    func py(_ y: Double) -> Double { top + ph - y / yMax * ph }
    func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
    func n(_ x: Double) -> String { formatQuantity(x, decimals: 1) }
    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(W))\" height=\"\(Int(H))\" viewBox=\"0 0 \(Int(W)) \(Int(H))\" font-family=\"sans-serif\" font-size=\"12\">\n"
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    s += "<text x=\"\(n(W / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(esc(model.name)): \(scenario.rawValue) throughput vs latency</text>\n"
    var xTicks: [Double] = []
    if logX {
        var t = xMin
        while t <= xMax * 1.0001 { xTicks.append(t); t *= 10 }
    } else {
        xTicks = (0...5).map { xMax * Double($0) / 5 }
    }
    for fx in xTicks {
        s += "<line x1=\"\(n(px(fx)))\" y1=\"\(n(top))\" x2=\"\(n(px(fx)))\" y2=\"\(n(top + ph))\" stroke=\"#ddd\"/>\n"
        s += "<text x=\"\(n(px(fx)))\" y=\"\(n(top + ph + 18))\" text-anchor=\"middle\">\(formatQuantity(fx))</text>\n"
    }
    for i in 0...5 {
        let fy = yMax * Double(i) / 5
        s += "<line x1=\"\(n(left))\" y1=\"\(n(py(fy)))\" x2=\"\(n(left + pw))\" y2=\"\(n(py(fy)))\" stroke=\"#ddd\"/>\n"
        s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(fy) + 4))\" text-anchor=\"end\">\(formatQuantity(fy))</text>\n"
    }
    s += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(pw))\" height=\"\(n(ph))\" fill=\"none\" stroke=\"#333\"/>\n"
    s += "<text x=\"\(n(left + pw / 2))\" y=\"\(n(H - 18))\" text-anchor=\"middle\">\(llm ? "TPOT (ms per output token)" : "batch latency (ms)")\(logX ? ", log scale" : "")</text>\n"
    s += "<text transform=\"translate(18 \(n(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(llm ? "generated tokens/s per chip" : "samples/s per chip")</text>\n"
    let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    for (i, e) in ests.enumerated() {
        let c = colors[i % colors.count]
        var pts: [String] = []
        for r in e.sweep {
            guard let x = llm ? r.tpotMs : r.latencyMs, x.isFinite else { continue }
            let y = r.throughput / Double(e.chips)
            guard y.isFinite else { continue }
            pts.append("\(n(px(x))),\(n(py(y)))")
        }
        if !pts.isEmpty {
            s += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\" points=\"\(pts.joined(separator: " "))\"/>\n"
            for p in pts {
                let xy = p.split(separator: ",")
                s += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(c)\"/>\n"
            }
        }
        let ly = top + 10 + Double(i) * 18
        s += "<line x1=\"\(n(W - right + 12))\" y1=\"\(n(ly))\" x2=\"\(n(W - right + 32))\" y2=\"\(n(ly))\" stroke=\"\(c)\" stroke-width=\"3\"/>\n"
        s += "<text x=\"\(n(W - right + 38))\" y=\"\(n(ly + 4))\">\(esc(e.chipID)) (tp\(e.plan.tp) pp\(e.plan.pp))</text>\n"
    }
    s += "</svg>\n"
    return s
}

/// The next round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) at or above x.
func niceCeil(_ x: Double) -> Double {
    guard x.isFinite, x > 0 else { return 1 }
    var p = 1.0
    while p * 10 <= x { p *= 10 }
    while p > x { p /= 10 }
    for m in [1.0, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where m * p >= x { return m * p }
    return 10 * p
}
