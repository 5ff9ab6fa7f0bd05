import ChipModelKit

/// `chipmodel systems`: list the system catalog or show one system with its sources.
///
/// Every number comes from a system spec file (`Specs/systems/*.json`, embedded, or a
/// `--systems DIR` file); the only arithmetic is the derived rows (total chips, domains, and
/// scale-out bandwidth per chip = NICs x line rate / 8).
public enum SystemsCommand: CLICommand {
    public static let name = "systems"
    public static let abstract = "List the system catalog (nodes, scale-up domains, fabrics) or show one system."
    public static let usage = "systems [list | show ID] [--systems DIR] [--format table|json|csv] [--specs DIR]"
    public static let discussion = """
    A system is one chip in a given number of nodes: its scale-up domain (size, topology
    switched | all-to-all | torus2d | torus3d | mesh | ring, bandwidth per chip), its
    scale-out fabric (NICs per chip, line rate, rails, oversubscription, tiers) and host
    figures (checkpoint write bandwidth and power overhead per node). Format: Specs/README.md.

    Without a subcommand, lists every system. 'show ID' prints every value with its range,
    confidence and source, the derived totals, and the sources. 'chipmodel chips systems' is
    the same list.

    EXAMPLES:
      chipmodel systems
      chipmodel systems show cloudmatrix-384
      chipmodel systems show tpu-v5p-pod-slice --format json
      chipmodel systems --systems ./my-systems --specs ./my-chips
    """
    public static let options: [OptionSpec] = [
        .value("--systems", "DIR", "Also load system spec files (*.json) from DIR; a user file with a built-in id overrides it."),
    ]
    public static let maxPositionals = 2

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        let id = try listOrShowID(args.positionals, command: "systems", noun: "system", suggestSubcommand: true)
        let systems = try loadSystems(args, context)
        if let id {
            let system = try systems.system(id)
            context.out(SystemsRender.show(system, format: format))
        } else {
            context.out(SystemsRender.list(systems.systems, format: format))
        }
        return 0
    }

    /// The built-in systems plus `--systems DIR`, checked against the chips of `--specs DIR`.
    static func loadSystems(_ args: ParsedArguments, _ context: CommandContext, chips loaded: ChipCatalog? = nil) throws -> SystemCatalog {
        let chips = try loaded ?? ChipModelCLI.catalog(args, context)
        var user: [SpecDocument] = []
        if let dir = args.value("--systems") {
            for f in try context.jsonFiles(in: dir) {
                user.append(SpecDocument(file: f, bytes: try context.readFile(f)))
            }
        }
        let systems = try SystemCatalog.load(builtIn: EmbeddedSpecs.systems, user: user, chips: chips)
        for o in systems.overrides { context.err("note: \(o)\n") }
        return systems
    }
}

/// Rendering of systems as tables, CSV and JSON (pure functions, tested directly).
enum SystemsRender {
    static let listHeaders = ["id", "chip", "chips", "per node", "domain", "topology", "scale-up GB/s/dir",
                              "scale-out GB/s/dir", "year", "status"]

    /// Scale-out bandwidth per chip per direction as a spec value (NICs x line rate / 8),
    /// with the range of both factors and the lower confidence of the two.
    static func scaleOutPerChip(_ s: SystemScaleOut) -> SpecValue {
        let n = s.nicsPerChip, r = s.nicLineRateGbps
        let low = n.value(at: .low) * r.value(at: .low) / 8, high = n.value(at: .high) * r.value(at: .high) / 8
        var v = SpecValue(n.nominal * r.nominal / 8, confidence: max(n.confidence, r.confidence), source: r.source,
                          note: "derived: nicsPerChip x nicLineRateGbps / 8")
        if low < high { v.low = low; v.high = high }
        return v
    }

    static func list(_ systems: [SystemSpec], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([("systems", .array(systems.map(json)))]).serialized() + "\n"
        case .csv:
            var t = TextTable(headers: ["id", "name", "vendor", "status", "chip", "totalChips", "chipsPerNode", "nodes",
                                        "domainSize", "topology", "scaleUpPerDirectionGBps", "scaleOutPerChipGBps", "year"])
            for s in systems {
                t.add([s.id, s.name, s.vendor, s.status.rawValue, s.chip, String(s.totalChips),
                       ChipsRender.csvNumber(s.chipsPerNode.nominal), ChipsRender.csvNumber(s.nodes.nominal),
                       ChipsRender.csvNumber(s.scaleUp.domainSize.nominal), s.scaleUp.topology.rawValue,
                       ChipsRender.csvNumber(s.scaleUp.perDirectionGBps()),
                       s.scaleOut.map { ChipsRender.csvNumber(scaleOutPerChip($0).nominal) } ?? "",
                       ChipsRender.csvNumber(s.year.nominal)])
            }
            return t.renderCSV()
        case .table:
            var t = TextTable(headers: listHeaders, rightAligned: [2, 3, 4, 6, 7, 8])
            for s in systems {
                t.add([s.id, s.chip, String(s.totalChips), ChipsRender.cell(s.chipsPerNode),
                       ChipsRender.cell(s.scaleUp.domainSize), topologyLabel(s.scaleUp),
                       ChipsRender.cell(ChipsRender.converted(s.scaleUp.bandwidth, to: .perDirection)),
                       ChipsRender.cell(s.scaleOut.map(scaleOutPerChip)), formatQuantity(s.year.nominal), s.status.rawValue])
            }
            return t.renderText() + "\n~ = estimated; (low-high) = range. Bandwidths per chip and direction. 'chipmodel systems show ID' gives sources.\n"
        }
    }

    static func topologyLabel(_ u: SystemScaleUp) -> String {
        u.dimensions.isEmpty ? u.topology.rawValue : "\(u.topology.rawValue) \(u.dimensions.map(String.init).joined(separator: "x"))"
    }

    /// Rows of `show`: key path, value, unit hint.
    static func showRows(_ s: SystemSpec) -> [(String, SpecValue, String)] {
        var rows: [(String, SpecValue, String)] = []
        for (key, v) in s.allSpecValues {
            if key == "scaleUp.bandwidthGBps" {
                let link = s.scaleUp.bandwidth
                let other: LinkDirection = link.direction == .bidirectional ? .perDirection : .bidirectional
                rows.append((key, link.stated, "\(ChipsRender.directionWord(link.direction)), as stated"))
                rows.append((key, ChipsRender.converted(link, to: other), "\(ChipsRender.directionWord(other)), derived"))
            } else {
                rows.append((key, v, key.hasPrefix("scaleUp.dimensionBandwidthGBps") ? "per direction" : ""))
            }
        }
        if let o = s.scaleOut { rows.append(("scaleOut.perChipGBps", scaleOutPerChip(o), "per direction, derived")) }
        return rows
    }

    static func show(_ s: SystemSpec, format: OutputFormat) -> String {
        switch format {
        case .json:
            return json(s).serialized() + "\n"
        case .csv:
            var t = TextTable(headers: ["field", "direction", "value", "low", "high", "confidence", "sourceKey", "source", "url", "note"])
            for (key, v, dir) in showRows(s) {
                t.add([key, dir, ChipsRender.csvNumber(v.nominal), v.low.map(ChipsRender.csvNumber) ?? "",
                       v.high.map(ChipsRender.csvNumber) ?? "", v.confidence.rawValue, v.source.key, v.source.title,
                       v.source.url ?? "", v.note ?? ""])
            }
            return t.renderCSV()
        case .table:
            var out = "\(s.name)  [\(s.id)]\n"
            var facts: [(String, String)] = [("vendor", s.vendor), ("status", s.status.rawValue), ("chip", s.chip),
                                             ("total chips", "\(s.totalChips) (\(s.domains) scale-up domain\(s.domains == 1 ? "" : "s"))"),
                                             ("scale-up", "\(s.scaleUp.name); \(topologyLabel(s.scaleUp))")]
            if let o = s.scaleOut { facts.append(("scale-out", o.name)) }
            let w = facts.map(\.0.count).max() ?? 0
            for (k, v) in facts { out += "  " + k + String(repeating: " ", count: w - k.count) + "  " + v + "\n" }
            out += "\n"
            var t = TextTable(headers: ["field", "value", "range", "direction", "confidence", "source"], rightAligned: [1, 2])
            var notes: [String] = []
            for (key, v, dir) in showRows(s) {
                t.add([key, formatQuantity(v.nominal), ChipsRender.range(v), dir, v.confidence.rawValue, v.source.key])
                if let n = v.note, !dir.hasSuffix("derived") { notes.append("  \(key): \(n)") }
            }
            out += t.renderText()
            let partNotes = [s.scaleUp.note.map { "  scaleUp: \($0)" }, s.scaleOut?.note.map { "  scaleOut: \($0)" }].compactMap { $0 }
            if !notes.isEmpty || !partNotes.isEmpty { out += "\nNotes:\n" + (partNotes + notes).joined(separator: "\n") + "\n" }
            out += "\nSources:\n"
            for key in s.sources.keys.sorted() {
                if let src = s.sources[key] { out += "  [\(key)] \(src.citation)\n" }
            }
            if !s.notes.isEmpty { out += "\n" + s.notes.map { "  " + $0 }.joined(separator: "\n") + "\n" }
            return out
        }
    }

    static func json(_ s: SystemSpec) -> JSONValue {
        var values: [(String, JSONValue)] = []
        for (key, v) in s.allSpecValues { values.append((key, ChipsRender.json(v))) }
        var up: [(String, JSONValue)] = [("name", .string(s.scaleUp.name)), ("topology", .string(s.scaleUp.topology.rawValue)),
                                         ("dimensions", .array(s.scaleUp.dimensions.map { .number(Double($0)) })),
                                         ("statedDirection", .string(s.scaleUp.bandwidth.direction.rawValue)),
                                         ("perDirectionGBps", ChipsRender.json(ChipsRender.converted(s.scaleUp.bandwidth, to: .perDirection)))]
        if let n = s.scaleUp.note { up.append(("note", .string(n))) }
        var m: [(String, JSONValue)] = [
            ("id", .string(s.id)), ("name", .string(s.name)), ("vendor", .string(s.vendor)), ("status", .string(s.status.rawValue)),
            ("chip", .string(s.chip)), ("totalChips", .number(Double(s.totalChips))), ("domains", .number(Double(s.domains))),
            ("scaleUp", .object(up)),
        ]
        if let o = s.scaleOut {
            var out: [(String, JSONValue)] = [("name", .string(o.name)), ("perChipGBps", ChipsRender.json(scaleOutPerChip(o)))]
            if let n = o.note { out.append(("note", .string(n))) }
            m.append(("scaleOut", .object(out)))
        }
        m.append(("values", .object(values)))
        m.append(("sources", .object(s.sources.keys.sorted().compactMap { k in
            s.sources[k].map { src in (k, .object([("title", .string(src.title))] + (src.url.map { [("url", JSONValue.string($0))] } ?? []))) }
        })))
        m.append(("notes", .array(s.notes.map { .string($0) })))
        return .object(m)
    }
}
