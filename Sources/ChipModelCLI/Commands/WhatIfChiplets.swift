import ChipModelKit
import Foundation

extension WhatIfCommand {
    // MARK: - Chiplet economics

    static func runChiplets(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        if !args.all("--vary").isEmpty || !args.all("--set").isEmpty {
            throw UsageError("chiplet economics (--chiplets/--die-area/--node) does not combine with --set or --vary")
        }
        var counts: [Int] = []
        for part in (args.value("--chiplets") ?? "1,2,4,8").split(separator: ",", omittingEmptySubsequences: false) {
            counts.append(try parseInt(String(part), option: "--chiplets", range: 1...64))
        }
        var chip: Chip?
        if args.all("--from").count + args.all("--chip").count > 1 { throw UsageError("chiplet economics takes one --from chip") }
        if let id = args.value("--from") ?? args.value("--chip") {
            chip = try ChipModelCLI.catalog(args, context).chip(id)
        }
        var nodeName = args.value("--node")
        if nodeName == nil, let pn = chip?.dies.processNode, ProcessNode.named(pn) != nil { nodeName = pn }
        let nodeText = nodeName ?? "7nm"
        guard let node = ProcessNode.named(nodeText) else {
            throw UsageError("unknown --node '\(nodeText)'; known: \(ProcessNode.names.joined(separator: ", "))")
        }
        var area = try args.double("--die-area", range: 1...100_000)
        if area == nil, let c = chip, let a = c.dies.computeDieAreaMm2 { area = a.nominal * Double(c.dies.computeDieCount) }
        guard let logicArea = area else { throw UsageError("chiplet economics needs --die-area MM2 (or a --from chip with dies.computeDieAreaMm2)") }
        var a = ChipletAssumptions(logicAreaMm2: logicArea, node: node)
        if let v = try args.double("--defect-density", range: 0...100) { a.defectsPerCm2 = v }
        if let v = try args.double("--wafer-cost", range: 1...1e7) { a.waferCostUSD = v }
        if let v = try args.double("--wafer-diameter", range: 25...1000) { a.waferDiameterMm = v }
        if let m = try args.choice("--yield-model", from: ["murphy", "poisson", "hp"]) {
            a.yieldModel = m == "poisson" ? .poisson : (m == "hp" ? .hennessyPatterson(n: 13.5) : .murphy)
        }
        if let v = try args.double("--d2d-area", range: 0...1) { a.d2dAreaFractionPerInterface = v }
        if let v = try args.double("--d2d-pj-per-bit", range: 0...100) { a.d2dPicojoulesPerBit = v }
        if let v = try args.double("--d2d-gbps", range: 0...1e6) { a.d2dLinkGBps = v }
        if let v = try args.double("--test-cost", range: 0...1e6) { a.testCostPerDieUSD = v }
        if let v = try args.double("--package-cost", range: 0...1e7) { a.packageCostUSD = v }
        if let v = try args.double("--interposer-cost", range: 0...1e4) { a.interposerCostPerMm2USD = v }
        if let v = try args.double("--bond-yield", range: 0.01...1) { a.bondYield = v }
        a.designTflops = try args.double("--tflops", range: 1e-6...1e9) ?? chip?.matmulPeak(.bf16)?.nominal
        a.designTdpW = try args.double("--tdp", range: 1e-3...1e7) ?? chip?.tdpW?.nominal
        a.targetTflops = try args.double("--target-tflops", range: 1e-6...1e12)
        let (options, cheapest) = ChipletEconomics.compare(chiplets: counts, a)
        let assumptions: [(String, String, String)] = [
            ("logic area", "\(formatQuantity(a.logicAreaMm2)) mm²", chip.map { "--from \($0.id): computeDieAreaMm2 x computeDies" } ?? "--die-area"),
            ("node", node.name, node.source),
            ("wafer cost", "USD \(formatQuantity(a.waferCostUSD))", args.value("--wafer-cost") != nil ? "--wafer-cost" : "node default (range \(formatQuantity(node.waferCostRangeUSD.lowerBound))-\(formatQuantity(node.waferCostRangeUSD.upperBound)))"),
            ("defect density", "\(formatQuantity(a.defectsPerCm2)) /cm²", args.value("--defect-density") != nil ? "--defect-density" : "node default (range \(formatQuantity(node.defectsRange.lowerBound))-\(formatQuantity(node.defectsRange.upperBound)))"),
            ("yield model", a.yieldModel.name, "Murphy 1964 / Poisson / Hennessy & Patterson 5th ed. sec. 1.6"),
            ("wafer", "\(formatQuantity(a.waferDiameterMm)) mm", "dies per wafer: Hennessy & Patterson sec. 1.6"),
            ("D2D area", "\(formatQuantity(a.d2dAreaFractionPerInterface * 100))% of logic per interface", "assumption (2-10%)"),
            ("D2D energy", "\(formatQuantity(a.d2dPicojoulesPerBit)) pJ/bit at \(formatQuantity(a.d2dLinkGBps)) GB/s per link", "UCIe 1.0 targets 0.25-0.5 pJ/bit (advanced package)"),
            ("KGD test", "USD \(formatQuantity(a.testCostPerDieUSD)) per die tested", "assumption (1-20)"),
            ("package", "USD \(formatQuantity(a.packageCostUSD)) + interposer USD \(formatQuantity(a.interposerCostPerMm2USD))/mm² (multi-die)", "assumption (HBM excluded: same in every option)"),
            ("bond yield", "\(formatQuantity(a.bondYield)) per die attached", "assumption (0.97-0.995)"),
        ]
        renderChiplets(options, cheapest: cheapest, assumptions: assumptions, a: a, format: format, context: context)
        return 0
    }

    static func renderChiplets(_ options: [ChipletOption], cheapest: Int?, assumptions: [(String, String, String)],
                               a: ChipletAssumptions, format: OutputFormat, context: CommandContext) {
        let perf = a.designTflops != nil
        let target = a.targetTflops != nil && perf
        if format == .json {
            let opts: [JSONValue] = options.map { o in
                var m: [(String, JSONValue)] = [
                    ("chiplets", .int(o.chiplets)), ("dieAreaMm2", .num(o.dieAreaMm2)), ("d2dAreaFraction", .num(o.d2dAreaFraction)),
                    ("grossDiesPerWafer", .num(o.grossDiesPerWafer)), ("dieYield", .num(o.dieYield)),
                    ("costPerGoodDieUSD", .num(o.costPerGoodDieUSD)), ("packageCostUSD", .num(o.packageCostUSD)),
                    ("packageYield", .num(o.packageYield)), ("costPerPackageUSD", .num(o.costPerPackageUSD)),
                    ("waferAreaPerPackageMm2", .num(o.waferAreaPerPackageMm2)), ("d2dPowerW", .num(o.d2dPowerW)),
                    ("manufacturable", .bool(o.manufacturable)),
                ]
                m.append(("tflopsPerW", .num(o.tflopsPerW)))
                m.append(("tflopsPerUSD", .num(o.tflopsPerUSD)))
                m.append(("packagesForTarget", .int(o.packagesForTarget)))
                m.append(("costForTargetUSD", .num(o.costForTargetUSD)))
                return .object(m)
            }
            let doc = JSONValue.object([
                ("assumptions", .array(assumptions.map { .object([("name", .string($0.0)), ("value", .string($0.1)), ("source", .string($0.2))]) })),
                ("designTflops", .num(a.designTflops)), ("designTdpW", .num(a.designTdpW)), ("targetTflops", .num(a.targetTflops)),
                ("options", .array(opts)),
                ("cheapestChiplets", .int(cheapest.map { options[$0].chiplets })),
            ])
            context.out(doc.serialized() + "\n")
            return
        }
        var headers = ["chiplets", "die mm²", "D2D area %", "dies/wafer", "die yield", "USD/good die", "package USD",
                       "pkg yield", "USD/package", "D2D W"]
        if perf { headers += ["TFLOPS/W", "TFLOPS/kUSD"] }
        if target { headers += ["packages", "USD for target"] }
        headers.append("note")
        var t = TextTable(headers: headers)
        for (i, o) in options.enumerated() {
            var row = [String(o.chiplets), formatQuantity(o.dieAreaMm2), formatFixed(o.d2dAreaFraction * 100, decimals: 1),
                       formatQuantity(o.grossDiesPerWafer.rounded(.down)), formatFixed(o.dieYield, decimals: 3),
                       formatQuantity(o.costPerGoodDieUSD), formatQuantity(o.packageCostUSD), formatFixed(o.packageYield, decimals: 3),
                       formatQuantity(o.costPerPackageUSD), formatQuantity(o.d2dPowerW)]
            if perf {
                row.append(o.tflopsPerW.map { formatQuantity($0) } ?? "-")
                row.append(o.tflopsPerUSD.map { formatQuantity($0 * 1000) } ?? "-")
            }
            if target {
                row.append(o.packagesForTarget.map(String.init) ?? "-")
                row.append(o.costForTargetUSD.map { formatQuantity($0) } ?? "-")
            }
            var note = o.manufacturable ? "" : "die exceeds the \(formatQuantity(Wafer.reticleLimitMm2)) mm² reticle"
            if i == cheapest { note = "cheapest per package" }
            row.append(note)
            t.add(row)
        }
        if format == .csv { context.out(t.renderCSV()); return }
        context.out(t.renderText())
        if let c = cheapest {
            let best = options[c]
            var line = "\nanswer: \(best.chiplets == 1 ? "monolithic" : "\(best.chiplets) chiplets") is cheapest per good package (USD \(formatQuantity(best.costPerPackageUSD))"
            if let mono = options.first(where: { $0.chiplets == 1 }), mono.chiplets != best.chiplets {
                line += mono.manufacturable
                    ? ", \(formatFixed((1 - best.costPerPackageUSD / mono.costPerPackageUSD) * 100, decimals: 1))% below monolithic"
                    : "; monolithic cannot be made above the reticle limit"
            }
            line += ")"
            if let target = a.targetTflops, let n = best.packagesForTarget, let cost = best.costForTargetUSD {
                line += "; \(formatQuantity(target)) TFLOPS takes \(n) packages, USD \(formatQuantity(cost)) in silicon and packaging"
            }
            context.out(line + "\n")
        } else {
            context.out("\nanswer: no option can be manufactured (every die exceeds the reticle limit)\n")
        }
        context.out("\nassumptions (each is a flag; see 'chipmodel help whatif'):\n")
        for (n, v, s) in assumptions { context.out("  \(n): \(v)  [\(s)]\n") }
    }
}
