import ChipModelKit

/// `chips systems` and `chips summary`: the system listing and catalog counts, reachable from
/// `chips` (kept out of ChipsCommand.swift).
enum ChipsExtras {
    static func run(_ sub: String, _ args: ParsedArguments, _ context: CommandContext, format: OutputFormat) throws -> Int32 {
        let systems = try SystemsCommand.loadSystems(args, context)
        if sub == "systems" {
            context.out(SystemsRender.list(systems.systems, format: format))
            return 0
        }
        let chips = try ChipModelCLI.catalog(args, context)
        context.out(summary(CatalogSummary(chips: chips.chips, systems: systems.systems), format: format))
        return 0
    }

    static func summary(_ s: CatalogSummary, format: OutputFormat) -> String {
        let order = Confidence.allCases
        switch format {
        case .json:
            func counts(_ d: [Confidence: Int]) -> JSONValue { .object(order.map { ($0.rawValue, .int(d[$0] ?? 0)) }) }
            return JSONValue.object([
                ("parts", .int(s.parts)), ("vendors", .array(s.vendors.map { .string($0) })),
                ("chipValues", counts(s.chipValues)), ("chipValuesWithRange", .int(s.chipValuesWithRange)),
                ("systems", .int(s.systems)), ("systemValues", counts(s.systemValues)),
            ]).serialized() + "\n"
        case .csv:
            var t = TextTable(headers: ["catalog", "confidence", "values"])
            for c in order { t.add(["chips", c.rawValue, String(s.chipValues[c] ?? 0)]) }
            for c in order { t.add(["systems", c.rawValue, String(s.systemValues[c] ?? 0)]) }
            return t.renderCSV()
        case .table:
            var out = "\(s.parts) chips from \(s.vendors.count) vendors (\(s.vendors.joined(separator: ", "))); \(s.systems) systems\n\n"
            var t = TextTable(headers: ["confidence", "chip values", "system values"], rightAligned: [1, 2])
            for c in order { t.add([c.rawValue, String(s.chipValues[c] ?? 0), String(s.systemValues[c] ?? 0)]) }
            t.add(["total", String(s.chipValueCount), String(s.systemValues.values.reduce(0, +))])
            out += t.renderText()
            out += "\n\(s.chipValuesWithRange) chip values carry a low-high range.\n"
            return out
        }
    }
}
