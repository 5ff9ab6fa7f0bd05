import ChipModelKit

/// Perf/W rows of `chips compare`: the dense-peak ratio next to what a standard workload
/// delivers per watt (the standard serving run, `InferenceRun` with `StandardRunDefaults`,
/// through the power model at the chip's average power).
enum ChipsEfficiency {
    static let source = SourceRef(key: "chipmodel", title: "chipmodel: standard serving run through the power model (Specs/economics)")

    static func value(_ r: RangedValue) -> SpecValue? {
        guard r.nominal.isFinite, r.low.isFinite, r.high.isFinite, r.nominal > 0 else { return nil }
        return SpecValue(r.nominal, low: r.hasRange ? r.low : nil, high: r.hasRange ? r.high : nil, confidence: .estimated, source: source)
    }

    /// Dense peak TFLOPS per TDP watt in `format` (ranged over the spec values).
    static func peakPerWatt(_ chip: Chip, _ format: NumberFormat) -> SpecValue? {
        guard let peak = chip.matmulPeak(format), let tdp = chip.tdpW else { return nil }
        let p = RangedValue(peak), t = RangedValue(tdp)
        let r = RangedValue(low: p.low / t.high, nominal: p.nominal / t.nominal, high: p.high / t.low)
        return SpecValue(r.nominal, low: r.hasRange ? r.low : nil, high: r.hasRange ? r.high : nil,
                         confidence: peak.confidence == .estimated || tdp.confidence == .estimated ? .estimated : peak.confidence, source: peak.source)
    }

    /// The extra rows, keyed for the table and CSV; the serving run is estimated once per chip.
    static func rows(_ chips: [Chip], catalog: ChipCatalog) throws -> (rows: [(String, (Chip) -> SpecValue?)], note: String) {
        let model = try ModelZoo.builtIn().model(StandardRunDefaults.inferenceModelID)
        let run = InferenceRun(model: model)
        let tables = try PowerCostTables.builtIn(catalog: catalog)
        var delivered: [String: SpecValue] = [:]
        var perJoule: [String: SpecValue] = [:]
        for (chip, o) in zip(chips, run.compare(chips)) {
            guard case let .success(ranged) = o.outcome,
                  let e = try? PowerCostRuns.serving(ranged, chip: chip, outputTokensPerRequest: run.outputTokens, tables: tables,
                                                     assumptions: PowerCostAssumptions()) else { continue }
            // Model FLOPs per generated token: 2 x active params x (prompt + generated) / generated.
            let flopsPerToken = 2 * model.activeParams * Double(run.inputTokens + run.outputTokens) / Double(run.outputTokens)
            let tflopsPerW = RangedValue(low: e.tokensPerJouleChipOnly.low * flopsPerToken / 1e12, nominal: e.tokensPerJouleChipOnly.nominal * flopsPerToken / 1e12,
                                         high: e.tokensPerJouleChipOnly.high * flopsPerToken / 1e12)
            delivered[chip.id] = value(tflopsPerW)
            perJoule[chip.id] = value(e.tokensPerJouleChipOnly)
        }
        let note = "perW: peak = dense peak / TDP (servingFormat: the standard serving format, fp8 where the chip has it); delivered = "
            + "\(model.id) serving \(run.inputTokens) in / \(run.outputTokens) out on \(run.chips) chips (estimate --inference defaults), "
            + "model FLOPs (2 x active params per prompt or generated token) and generated tokens per joule of average chip power (power model, Specs/economics)."
        return ([
            ("perW.peakBf16DenseTflopsPerW", { peakPerWatt($0, .bf16) ?? peakPerWatt($0, .fp16) }),
            ("perW.peakServingFormatTflopsPerW", { peakPerWatt($0, standardInferenceFormat(ChipParameters(chip: $0), model: model).format) }),
            ("perW.deliveredTflopsPerW", { delivered[$0.id] }),
            ("perW.deliveredTokensPerJoule", { perJoule[$0.id] }),
        ], note)
    }
}
