import ChipModelKit
import Foundation

extension WhatIfCommand {
    // MARK: - Metrics

    /// The metrics `--metric` accepts: the training estimator, the inference estimator, and the
    /// roofline layer metric (one chip, one layer; kept as a quick first look).
    static let metricNames = ["training", "inference", "roofline", "energy", "goodput"]

    /// Workload parameters `--vary` may sweep besides spec keys, per metric.
    static let trainingParameters = ["chips", "batch", "seq", "tp", "pp", "dp", "cp", "ep", "microbatch"]
    static let inferenceParameters = ["chips", "batch", "tp", "pp", "ep", "replicas", "input-tokens", "output-tokens"]

    /// The metric a sweep evaluates at every point: the point's workload parameters
    /// (`point["chips"]`, ...) override the command's options (`--chips`, `--batch`, `--tp`, ...).
    static func makeMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let inference = args.has("--inference")
        let sweepsGoodput = args.all("--vary").contains { v in goodputParameters.contains { v.hasPrefix($0 + "=") } }
        let kind = try args.choice("--metric", from: metricNames) ?? (inference ? "inference" : sweepsGoodput ? "goodput" : "training")
        if kind != "goodput", let flag = goodputFlagsGiven(args).first { throw UsageError("\(flag) applies to --metric goodput") }
        if kind != "roofline", args.value("--phase") != nil { throw UsageError("--phase applies to --metric roofline") }
        switch kind {
        case "energy":
            return inference ? try inferenceEnergyMetric(args, context) : try trainingEnergyMetric(args, context)
        case "training":
            if inference { throw UsageError("--metric training contradicts --inference") }
            return try trainingMetric(args, context)
        case "goodput":
            if inference { throw UsageError("--metric goodput is a training metric; it contradicts --inference") }
            return try goodputMetric(args, context)
        case "inference":
            if args.value("--seq") != nil { throw UsageError("the inference metric takes --input-tokens and --output-tokens, not --seq") }
            return try inferenceMetric(args, context)
        default:
            let ignored = ["--chips", "--tp", "--pp", "--ep", "--scale-up-domain"].filter { args.value($0) != nil }
            if !ignored.isEmpty {
                context.err("note: the roofline layer metric is for one chip; \(ignored.joined(separator: ", ")) ignored\n")
            }
            return try rooflineWorkload(args, context).whatIfMetric
        }
    }

    /// Training estimator metric: tokens/s per chip (headline), tokens/s of the cluster, MFU and
    /// step time of the best plan, every corner with its own full plan search (the range policy
    /// every command shares).
    static func trainingMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let (base, label, batch) = try trainingBase(args, context)
        let outputs: [WhatIfMetric.Output] = [
            .init("tokensPerSecondPerChip", unit: "training tokens/s/chip"), .init("tokensPerSecond", unit: "tokens/s"),
            .init("mfuPercent", unit: "MFU %"), .init("stepSeconds", unit: "step s", higherIsBetter: false),
        ]
        return WhatIfMetric.training(label: label, parameters: trainingParameters, outputs: outputs, levers: !args.has("--no-levers"),
                                     run: { try trainingRun(base, at: $0, batchFixed: batch != nil) },
                                     values: { [$0.tokensPerSecondPerChip, $0.tokensPerSecond, $0.mfu * 100, $0.stepSeconds] }) { t, e, point in
            ["training plan on \(t.chips) x \(e.chipID)\(point.values.isEmpty ? "" : " at " + point.values.map { "\($0.name)=\(formatQuantity($0.value))" }.joined(separator: ", ")): \(e.plan)"]
        }.withModelError { ModelErrorBands.training(family: $0.family) }
    }

    /// The training run of the command's options, its label, and the fixed `--batch`.
    static func trainingBase(_ args: ParsedArguments, _ context: CommandContext) throws -> (TrainingRun, String, Int?) {
        let model = try loadModel(args.value("--model") ?? StandardRunDefaults.trainingModelID, context)
        guard model.isDecoder else {
            throw UsageError("the training estimator models decoder transformers; '\(model.id)' is \(model.architecture.rawValue) (try --inference)")
        }
        let batch = try args.int("--batch", range: 1...100_000_000)
        let system = try resolveSystem(args, context)
        let chips = try system?.count ?? args.int("--chips", range: 1...10_000_000) ?? StandardRunDefaults.trainingChips
        var run = TrainingRun(model: model, sequenceLength: try args.int("--seq", range: 1...10_000_000) ?? StandardRunDefaults.trainingSequenceLength,
                               globalBatch: batch, precision: try args.value("--precision").map { _ in try parsePrecision(args, default: .bf16) },
                               emulate: args.has("--emulate"), chips: chips,
                               scaleUpDomain: try system?.domain ?? args.int("--scale-up-domain", range: 1...10_000_000),
                               constraints: try trainingConstraints(args),
                               tokenBudget: try args.double("--tokens", range: 1...1e18) ?? StandardRunDefaults.trainingTokenBudget)
        run.fabric = system?.fabric
        let base = run
        if let problem = base.constraintProblem,
           !args.all("--vary").contains(where: { v in trainingParameters.contains { v.hasPrefix($0 + "=") } }) {
            throw UsageError(problem)
        }
        let chipsSwept = args.all("--vary").contains { $0.hasPrefix("chips=") }
        let label = "training: " + (chipsSwept ? base.label.replacingOccurrences(of: ", \(chips) chips,", with: ", chips as swept,") : base.label)
        return (base, label, batch)
    }

    /// `base` with a sweep point's workload parameters applied.
    static func trainingRun(_ base: TrainingRun, at point: SweepPoint, batchFixed: Bool) throws -> TrainingRun {
        var t = base
        func whole(_ name: String) throws -> Int? {
            guard let v = point[name] else { return nil }
            guard v >= 1, v <= 1e8, v == v.rounded() else { throw WhatIfPointError("\(name) must be a whole number from 1, got \(formatQuantity(v))") }
            return Int(v)
        }
        if let v = try whole("chips") { t.chips = v }
        if let v = try whole("seq") {
            t.sequenceLength = v
            if !batchFixed { t.globalBatch = StandardRunDefaults.trainingGlobalBatch(sequenceLength: v) }
        }
        if let v = try whole("batch") { t.globalBatch = v }
        if let v = try whole("tp") { t.constraints.tp = v }
        if let v = try whole("pp") { t.constraints.pp = v }
        if let v = try whole("dp") { t.constraints.dp = v }
        if let v = try whole("cp") { t.constraints.cp = v }
        if let v = try whole("ep") { t.constraints.ep = v }
        if let v = try whole("microbatch") { t.constraints.microBatch = v }
        if let problem = t.constraintProblem { throw WhatIfPointError(problem) }
        return t
    }

    /// Inference estimator metric: system tokens/s (headline), tokens/s per chip, TPOT and
    /// TTFT; every corner searched (the inference search is small).
    static func inferenceMetric(_ args: ParsedArguments, _ context: CommandContext) throws -> WhatIfMetric {
        let (base, label) = try inferenceBase(args, context)
        return WhatIfMetric.ranged(label: label, parameters: inferenceParameters, outputs: [
            .init("tokensPerSecond", unit: "inference tokens/s"), .init("tokensPerSecondPerChip", unit: "tokens/s/chip"),
            .init("tpotMs", unit: "TPOT ms", higherIsBetter: false), .init("ttftMs", unit: "TTFT ms", higherIsBetter: false),
        ]) { p, point in
            let e = try inferenceRun(base, at: point).estimate(p)
            guard let tps = e.tokensPerSecond, let perChip = e.tokensPerSecondPerChip else {
                throw WhatIfPointError("no tokens/s for \(base.model.id)")
            }
            return ([tps, perChip, e.tpotMs ?? .nan, e.ttftMs ?? .nan], e.binding)
        }.withModelError { InferenceModelErrorBands.band(family: $0.family) }
    }

    /// The serving run of the command's options and its label.
    static func inferenceBase(_ args: ParsedArguments, _ context: CommandContext) throws -> (InferenceRun, String) {
        let model = try loadModel(args.value("--model") ?? StandardRunDefaults.inferenceModelID, context)
        guard model.isDecoder else {
            throw UsageError("the what-if inference metric reports LLM tokens/s; '\(model.id)' is \(model.architecture.rawValue) (use 'estimate --inference')")
        }
        let (scenario, interactive) = try parseInferenceScenario(args)
        let plan = try inferenceConstraints(args)
        let kvPrecision = try parseKVPrecision(args)
        let system = try resolveSystem(args, context, countRange: 1...1_000_000)
        var run = InferenceRun(
            model: model, scenario: scenario,
            inputTokens: try args.int("--input-tokens", range: 1...1_000_000) ?? StandardRunDefaults.inferenceInputTokens,
            outputTokens: try args.int("--output-tokens", range: 1...1_000_000) ?? StandardRunDefaults.inferenceOutputTokens,
            precision: try args.value("--precision").map { _ in try parsePrecision(args, default: .bf16) },
            kvPrecision: kvPrecision, ttftBoundMs: try args.double("--ttft-ms", range: 1e-3...1e9),
            tpotBoundMs: try args.double("--tpot-ms", range: 1e-3...1e9), emulate: args.has("--emulate"),
            chips: try system?.count ?? args.int("--chips", range: 1...1_000_000) ?? StandardRunDefaults.inferenceChips, batch: try args.int("--batch", range: 1...1_000_000),
            constraints: plan, scaleUpDomain: try system?.domain ?? args.int("--scale-up-domain", range: 1...1_000_000))
        run.fabric = system?.fabric
        run.interactive = interactive
        try checkInteractiveBounds(run)
        let base = run
        let chipsSwept = args.all("--vary").contains { $0.hasPrefix("chips=") }
        let label = "inference: " + (chipsSwept ? base.label.replacingOccurrences(of: ", \(base.chips) chips,", with: ", chips as swept,") : base.label)
        return (base, label)
    }

    /// `base` with a sweep point's workload parameters applied.
    static func inferenceRun(_ base: InferenceRun, at point: SweepPoint) throws -> InferenceRun {
        var w = base
        func whole(_ name: String) throws -> Int? {
            guard let v = point[name] else { return nil }
            guard v >= 1, v <= 1e8, v == v.rounded() else { throw WhatIfPointError("\(name) must be a whole number from 1, got \(formatQuantity(v))") }
            return Int(v)
        }
        if let v = try whole("chips") { w.chips = v }
        if let v = try whole("batch") { w.batch = v }
        if let v = try whole("tp") { w.constraints.tp = v }
        if let v = try whole("pp") { w.constraints.pp = v }
        if let v = try whole("ep") { w.constraints.ep = v }
        if let v = try whole("replicas") { w.constraints.replicas = v }
        if let v = try whole("input-tokens") { w.inputTokens = v }
        if let v = try whole("output-tokens") { w.outputTokens = v }
        return w
    }

    static func rooflineWorkload(_ args: ParsedArguments, _ context: CommandContext) throws -> RooflineLayerWorkload {
        let inference = args.has("--inference")
        let model = try loadModel(args.value("--model") ?? StandardRunDefaults.trainingModelID, context)
        let format = try parsePrecision(args, default: .bf16)
        let batch = try args.int("--batch", range: 1...10_000_000) ?? (inference ? 32 : 8)
        let seq = try args.int("--seq", range: 1...10_000_000) ?? 4096
        let phase = try args.choice("--phase", from: ["decode", "prefill"])
        if phase != nil, !inference { throw UsageError("--phase applies to --inference") }
        let mode: RooflineLayerWorkload.Mode = inference ? (phase == "prefill" ? .prefill : .inference) : .training
        return RooflineLayerWorkload(model: model, mode: mode, batch: inference && phase == "prefill" && args.value("--batch") == nil ? 1 : batch, seq: seq,
                                     format: format, emulate: args.has("--emulate"))
    }
}
