import ChipModelKit

/// `chipmodel roofline`: Evaluate operations against a chip's roofline ceilings.
public enum RooflineCommand: CLICommand {
    public static let name = "roofline"
    public static let abstract = "Evaluate operations against a chip's roofline ceilings."
    public static let usage = "roofline CHIP [--precision bf16[,fp8...]] [--op KIND:VALUES[@SPLIT] ...] [--compare ID ...] [--emulate] [--svg FILE] [--format table|json|csv]"
    public static let discussion = """
        Times each operation as the largest of its compute, HBM, on-chip (SRAM/L2) and
        die-to-die (D2D) times, and names the binding ceiling. Ceilings are sustained values:
        vendor dense peak x the chip family's fraction (Calibration/FamilyCalibration.swift). D2D uses the
        link's per-direction bandwidth (896 GB/s bidirectional = 448 GB/s each way).
        Tiling assumption: GEMM-like operations use square output tiles sized to half the
        on-chip SRAM; off-chip traffic is the compulsory traffic plus panel re-reads per tile.

        \(RooflineOpGrammar.helpText)

        Without --op a representative set is shown (square and skinny GEMMs, decode GEMV,
        attention prefill and decode, LayerNorm, a ResNet-50 convolution).
        --compare ID ... (or more chip ids after CHIP) evaluates the same operations on other
        chips; --svg FILE writes a log-log roofline plot with all chips overlaid.
        """
    public static let options: [OptionSpec] = [
        .value("--precision", "FORMAT[,FORMAT...]", "Number format(s) (default bf16): \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", "))."),
        .value("--op", "KIND:VALUES[@SPLIT]", repeatable: true, "An operation to evaluate (see OPERATIONS above)."),
        .value("--compare", "ID[,ID...]", repeatable: true, "Also evaluate on these chips (overlaid in the SVG)."),
        .flag("--emulate", "Run a format the chip lacks at the next wider format it has (and say so)."),
        .value("--svg", "FILE", "Write a log-log roofline plot (SVG) to FILE."),
    ] + systemOptions
    public static let maxPositionals = 16

    /// One chip's evaluation.
    public struct ChipRun: Sendable {
        public var chip: Chip
        public var parameters: ChipParameters
        public var device: RooflineDevice
        public var results: [RooflineResult]

        /// Compute ceilings of every format the chip has: (format, sustained FLOP/s, peak FLOP/s).
        public var computeCeilings: [(format: NumberFormat, sustainedFlops: Double, peakFlops: Double)] {
            parameters.formats.compactMap { f in
                guard let t = parameters.matmulTflops[f] else { return nil }
                return (f, t * 1e12 * device.calibration.matmulPeakFraction, t * 1e12)
            }
        }
    }

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        // `--system ID` evaluates the system's chip (a roofline is one chip: links do not enter).
        let system = args.positionals.isEmpty ? try resolveSystem(args, context) : nil
        if system == nil, args.value("--system") != nil { throw UsageError("give CHIP or --system, not both") }
        guard let mainID = args.positionals.first ?? system?.system.chip else {
            throw UsageError("missing CHIP (see 'chipmodel chips' for the ids)")
        }
        var precisions: [NumberFormat] = []
        for name in (args.value("--precision") ?? "bf16").split(separator: ",", omittingEmptySubsequences: false) {
            guard let f = NumberFormat(name: String(name)) else {
                throw UsageError("invalid value '\(name)' for --precision; expected one of: \(NumberFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !precisions.contains(f) { precisions.append(f) }
        }
        let precision = precisions[0]
        let emulate = args.has("--emulate")
        var ops: [RooflineOpSpec] = []
        for text in args.all("--op") { ops.append(try RooflineOpGrammar.parse(text)) }
        if ops.isEmpty { ops = try RooflineOpGrammar.defaults.map { text throws(UsageError) in try RooflineOpGrammar.parse(text) } }
        var ids = [mainID]
        for v in args.all("--compare") + args.positionals.dropFirst() {
            for id in v.split(separator: ",").map(String.init) where !id.isEmpty && !ids.contains(id) { ids.append(id) }
        }
        let catalog = try ChipModelCLI.catalog(args, context)
        var runs: [ChipRun] = []
        var points: [(RooflineOperation, RooflineDevice, DieSplit)] = []
        for id in ids {
            let chip = try catalog.chip(id)
            let params = ChipParameters(chip: chip)
            for f in precisions {
                let device: RooflineDevice
                do {
                    device = try RooflineDevice(chip: params, format: f, emulate: emulate)
                } catch let e as UnsupportedFormatError {
                    throw RunError(e.description)
                }
                runs.append(ChipRun(chip: chip, parameters: params, device: device, results: []))
                for op in ops { points.append((op.operation, device, op.split)) }
            }
        }
        // All (operation x chip x format) points go through the SIMD batch path at once.
        let results = Roofline.evaluateMany(points)
        for k in runs.indices {
            runs[k].results = Array(results[(k * ops.count)..<((k + 1) * ops.count)])
        }
        for r in runs where r.device.computeFormat != r.device.format {
            context.err("note: \(r.chip.id) has no \(r.device.format.rawValue) peak; emulated at \(r.device.computeFormat.rawValue)\n")
        }
        for r in runs where r.parameters.usesEstimates && r.device.format == precision {
            context.err("note: \(r.chip.id) spec includes estimated values (see 'chipmodel chips show \(r.chip.id)')\n")
        }
        if let svg = args.value("--svg") {
            try context.writeFile(svg, RooflinePlot.svg(runs: runs, ops: ops, precision: precision))
            context.err("wrote \(svg)\n")
        }
        switch format {
        case .json: context.out(json(runs: runs, ops: ops, precision: precision).serialized(pretty: true) + "\n")
        case .csv: context.out(table(runs: runs, ops: ops, csv: true).renderCSV())
        case .table: context.out(text(runs: runs, ops: ops, precision: precision))
        }
        return 0
    }

    // MARK: - Output

    static func ceilingsJSON(_ r: ChipRun, precision: NumberFormat) -> JSONValue {
        var list: [JSONValue] = []
        for c in r.computeCeilings {
            list.append(.object([("name", .string("compute \(c.format.rawValue)")), ("value", .num(c.sustainedFlops / 1e12)),
                                 ("unit", .string(c.format.isInteger ? "TOP/s" : "TFLOP/s")), ("peak", .num(c.peakFlops / 1e12)),
                                 ("selected", .bool(c.format == r.device.computeFormat))]))
        }
        list.append(.object([("name", .string("vector fp32")), ("value", .num(r.device.sustainedVectorFlops / 1e12)),
                             ("unit", .string("TFLOP/s"))]))
        list.append(.object([("name", .string("memory (HBM/DRAM)")), ("value", .num(r.device.memoryBytesPerSecond / 1e9)),
                             ("unit", .string("GB/s")), ("peak", .num(r.device.peakMemoryBytesPerSecond / 1e9))]))
        list.append(.object([("name", .string("sram")), ("value", .num(r.device.sramBytesPerSecond / 1e9)),
                             ("unit", .string("GB/s")), ("tileBytes", .num(r.device.sramTileBytes)),
                             ("note", .string(r.device.sramBytesPerSecond.isFinite ? "on-chip bandwidth" : "no on-chip bandwidth in spec: no SRAM ceiling"))]))
        if r.device.dies > 1 {
            list.append(.object([("name", .string("d2d per direction")), ("value", .num(r.device.d2dBytesPerSecondPerDirection / 1e9)),
                                 ("unit", .string("GB/s")), ("peak", .num(r.parameters.d2dPerDirectionGBps)),
                                 ("dies", .int(r.device.dies))]))
        }
        return .array(list)
    }

    static func operationJSON(_ x: RooflineResult, _ op: RooflineOpSpec) -> JSONValue {
        .object([
            ("name", .string(x.operation.name)), ("op", .string(op.text)),
            ("flops", .num(x.flops)), ("bytes", .num(x.bytes)), ("intensity", .num(x.intensity)),
            ("seconds", .num(x.seconds)), ("attainableTflops", .num(x.attainableFlops / 1e12)),
            ("bound", .string(x.bound.rawValue)), ("utilization", .num(x.utilization)),
            ("split", .string(x.split)), ("shapeEfficiency", .num(x.shapeEfficiency)),
            ("sramBytes", .num(x.sramBytes)), ("d2dBytesPerDirection", .num(x.d2dBytesPerDirection)),
            ("ceilingSeconds", .object([("compute", .num(x.computeSeconds)), ("memory", .num(x.memorySeconds)),
                                        ("sram", .num(x.sramSeconds)), ("d2d", .num(x.d2dSeconds))])),
        ])
    }

    static func runJSON(_ r: ChipRun, ops: [RooflineOpSpec], precision: NumberFormat) -> [(String, JSONValue)] {
        let cal = r.device.calibration
        return [
            ("chip", .string(r.chip.id)), ("chipName", .string(r.chip.name)),
            ("precision", .string(r.device.format.rawValue)), ("computeFormat", .string(r.device.computeFormat.rawValue)),
            ("emulated", .bool(r.device.computeFormat != r.device.format)),
            ("calibration", .object([("family", .string(r.chip.family)), ("calibrated", .bool(Calibration.isCalibrated(r.chip.family))),
                                     ("matmulPeakFraction", .num(cal.matmulPeakFraction)),
                                     ("memoryBandwidthFraction", .num(cal.memoryBandwidthFraction)),
                                     ("d2dFraction", .num(cal.d2dFraction)), ("provenance", .string(cal.provenance))])),
            ("usesEstimates", .bool(r.parameters.usesEstimates)),
            ("ceilings", ceilingsJSON(r, precision: precision)),
            ("operations", .array(zip(r.results, ops).map { operationJSON($0, $1) })),
        ]
    }

    static func json(runs: [ChipRun], ops: [RooflineOpSpec], precision: NumberFormat) -> JSONValue {
        guard let main = runs.first else { return .null }
        var o = runJSON(main, ops: ops, precision: precision)
        if runs.count > 1 {
            o.append(("compare", .array(runs.dropFirst().map { .object(runJSON($0, ops: ops, precision: precision)) })))
        }
        return .object(o)
    }

    /// `1.23 ms`, `45.6 µs`.
    static func formatSeconds(_ s: Double) -> String {
        guard s.isFinite else { return "n/a" }
        if s >= 1 { return formatQuantity(s) + " s" }
        if s >= 1e-3 { return formatQuantity(s * 1e3) + " ms" }
        if s >= 1e-6 { return formatQuantity(s * 1e6) + " us" }
        return formatQuantity(s * 1e9) + " ns"
    }

    static func table(runs: [ChipRun], ops: [RooflineOpSpec], csv: Bool) -> TextTable {
        var headers = ["operation", "GFLOP", "MB", "FLOP/B", "time", "TFLOP/s", "util", "bound", "split"]
        if csv { headers = ["operation", "op", "flops", "bytes", "intensity", "seconds", "attainableTflops", "utilization", "bound", "split", "d2dBytesPerDirection"] }
        let manyChips = Set(runs.map(\.chip.id)).count > 1, manyFormats = Set(runs.map(\.device.format)).count > 1
        if manyFormats { headers.insert("format", at: 0) }
        if manyChips { headers.insert("chip", at: 0) }
        let lead = (manyChips ? 1 : 0) + (manyFormats ? 1 : 0)
        var t = TextTable(headers: headers)
        for r in runs {
            for (x, op) in zip(r.results, ops) {
                var row: [String]
                if csv {
                    row = [x.operation.name, op.text, "\(x.flops)", "\(x.bytes)", x.intensity.isFinite ? "\(x.intensity)" : "",
                           "\(x.seconds)", "\(x.attainableFlops / 1e12)", "\(x.utilization)", x.bound.rawValue, x.split,
                           "\(x.d2dBytesPerDirection)"]
                } else {
                    row = [x.operation.name, formatQuantity(x.flops / 1e9), formatQuantity(x.bytes / 1e6),
                           x.intensity.isFinite ? formatQuantity(x.intensity) : "-", formatSeconds(x.seconds),
                           formatQuantity(x.attainableFlops / 1e12), formatFixed(x.utilization * 100, decimals: 1) + "%",
                           x.bound.rawValue, x.split]
                }
                if manyFormats { row.insert(r.device.format.rawValue, at: 0) }
                if manyChips { row.insert(r.chip.id, at: 0) }
                t.add(row)
            }
        }
        if !csv { t.rightAligned = Set((lead + 1)...(lead + 6)) }
        return t
    }

    static func text(runs: [ChipRun], ops: [RooflineOpSpec], precision: NumberFormat) -> String {
        var s = ""
        for r in runs {
            let d = r.device
            let fmt = d.computeFormat == d.format ? d.format.rawValue : "\(d.format.rawValue) (emulated at \(d.computeFormat.rawValue))"
            s += "\(r.chip.name) [\(r.chip.id)], \(fmt)"
            s += Calibration.isCalibrated(r.chip.family) ? "\n" : "; efficiency fractions are the uncalibrated prior\n"
            var parts = ["compute \(formatQuantity(d.sustainedMatmulFlops / 1e12)) of \(formatQuantity(d.peakFlops / 1e12)) TFLOP/s",
                         "HBM \(formatQuantity(d.memoryBytesPerSecond / 1e9)) of \(formatQuantity(d.peakMemoryBytesPerSecond / 1e9)) GB/s"]
            parts.append(d.sramBytesPerSecond.isFinite ? "SRAM \(formatQuantity(d.sramBytesPerSecond / 1e9)) GB/s"
                         : "SRAM tiles \(formatQuantity(d.sramTileBytes / 1e6)) MB (no bandwidth ceiling)")
            if d.dies > 1 {
                parts.append("D2D \(formatQuantity(d.d2dBytesPerSecondPerDirection / 1e9)) of \(formatQuantity(r.parameters.d2dPerDirectionGBps ?? 0)) GB/s each way (\(d.dies) dies)")
            }
            s += "  sustained ceilings: " + parts.joined(separator: ", ") + "\n"
        }
        s += "\n" + table(runs: runs, ops: ops, csv: false).renderText()
        return s
    }
}
