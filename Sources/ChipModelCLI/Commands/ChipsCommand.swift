import ChipModelKit

/// `chipmodel chips`: List the chip catalog, show one chip with sources, or compare chips.
///
/// Every number printed comes from a spec file (`Specs/chips/*.json`, embedded in the binary,
/// or a `--specs DIR` override) together with its source and confidence; nothing is computed
/// here except unit conversions (GB/s -> TB/s) and the other direction of a link bandwidth.
public enum ChipsCommand: CLICommand {
    public static let name = "chips"
    public static let abstract = "List the chip catalog, show one chip with sources, or compare chips."
    public static let usage = "chips [list | show ID | compare ID ID ...] [systems | summary] [--format table|json|csv] [--specs DIR]"
    public static let discussion = """
    Without a subcommand, lists every chip: vendor, year, status, dense BF16 and FP8 peaks
    (TFLOPS), memory capacity (GB) and bandwidth (TB/s), and scale-up bandwidth per chip and
    direction (GB/s). Values with a range print as 'nominal (low-high)'; a leading '~' marks
    an estimate (derived by chipmodel, see 'chips show' for the derivation).

    'show ID' prints every field of one chip with its range, confidence and source key; the
    sources and per-value notes follow the table. Link bandwidths are printed as stated
    (bidirectional or per direction) together with the derived other direction.

    'compare ID ID ...' prints chips side by side; link bandwidths are normalized to both
    per-direction and bidirectional rows so chips with different conventions line up.

    'systems' lists the system catalog (as 'chipmodel systems'); 'summary' counts parts,
    vendors and spec values by confidence.

    --format json lists every chip with its 'id' and every value with value/low/high/
    confidence/source; --format csv writes one row per chip (list), per field (show) or per
    field with one column per chip (compare). Peaks are dense unless the key says Sparse.

    EXAMPLES:
      chipmodel chips
      chipmodel chips show br166
      chipmodel chips compare a100-sxm4-80gb br166 h100-sxm5-80gb
      chipmodel chips --format json
      chipmodel chips show h100-sxm5-80gb --format csv
      chipmodel chips --specs ./my-chips      (adds or overrides chips from ./my-chips/*.json)
    """
    public static let options: [OptionSpec] = SystemsCommand.options
    public static let maxPositionals = 17

    static let subcommands = ["list", "show", "compare", "systems", "summary"]

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        var positionals = args.positionals
        var sub = "list"
        if let first = positionals.first {
            if subcommands.contains(first) {
                sub = first
                positionals.removeFirst()
            } else if positionals.count == 1 {
                sub = "show"  // `chipmodel chips h100-sxm5-80gb`
            } else {
                var msg = "unknown subcommand '\(first)'; expected list, show, compare, systems or summary"
                if let near = nearestNames(to: first, in: subcommands, limit: 1).first { msg += " (did you mean '\(near)'?)" }
                throw UsageError(msg)
            }
        }
        switch sub {
        case "show":
            guard positionals.count == 1 else {
                throw UsageError(positionals.isEmpty ? "'chips show' needs a chip id" : "'chips show' takes one chip id; use 'chips compare' for several")
            }
        case "compare":
            guard positionals.count >= 2 else { throw UsageError("'chips compare' needs at least two chip ids") }
        case "systems", "summary":
            guard positionals.isEmpty else { throw UsageError("'chips \(sub)' takes no arguments, got '\(positionals[0])'") }
            return try ChipsExtras.run(sub, args, context, format: format)
        default:
            guard positionals.isEmpty else { throw UsageError("'chips list' takes no arguments, got '\(positionals[0])'") }
        }
        let catalog = try ChipModelCLI.catalog(args, context)
        switch sub {
        case "show":
            let chip = try catalog.chip(positionals[0])
            context.out(ChipsRender.show(chip, format: format))
        case "compare":
            var chips: [Chip] = []
            for id in positionals { chips.append(try catalog.chip(id)) }
            let efficiency = try ChipsEfficiency.rows(chips, catalog: catalog)
            context.out(ChipsRender.compare(chips, format: format, extraRows: efficiency.rows, note: efficiency.note))
        default:
            context.out(ChipsRender.list(catalog.chips, format: format))
        }
        return 0
    }
}

/// Rendering of chips as tables, CSV and JSON (pure functions, tested directly).
enum ChipsRender {
    // MARK: values

    /// `312`, `~1024 (678-1120)`, `2500 (2250-2500)`; `-` when absent.
    static func cell(_ v: SpecValue?, scale: Double = 1) -> String {
        guard let v else { return "-" }
        let mark = v.confidence == .estimated ? "~" : ""
        let n = formatQuantity(v.nominal * scale)
        if let l = v.low, let h = v.high, l < h {
            return "\(mark)\(n) (\(formatQuantity(l * scale))-\(formatQuantity(h * scale)))"
        }
        return mark + n
    }

    /// `low-high`, or empty without a range (or with a zero-width one such as `8-8`).
    static func range(_ v: SpecValue) -> String {
        guard let l = v.low, let h = v.high else { return "" }
        let (lo, hi) = (formatQuantity(l), formatQuantity(h))
        return lo == hi ? "" : "\(lo)-\(hi)"
    }

    /// A link bandwidth converted to one direction convention, keeping range and provenance.
    static func converted(_ link: LinkBandwidth, to direction: LinkDirection) -> SpecValue {
        var v = link.stated
        let factor = link.direction == direction ? 1.0 : (direction == .perDirection ? 0.5 : 2.0)
        v.nominal *= factor
        v.low = v.low.map { $0 * factor }
        v.high = v.high.map { $0 * factor }
        if link.direction != direction {
            v.note = "derived from the stated \(formatQuantity(link.stated.nominal)) GB/s \(link.direction.rawValue)"
        }
        return v
    }

    static func directionWord(_ d: LinkDirection) -> String { d == .bidirectional ? "bidirectional" : "per direction" }

    // MARK: list

    static let listHeaders = ["id", "vendor", "year", "status", "bf16 dense TFLOPS", "fp8 dense TFLOPS",
                              "memory GB", "memory TB/s", "scale-up GB/s/dir"]

    static func list(_ chips: [Chip], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([("chips", .array(chips.map(json)))]).serialized() + "\n"
        case .csv:
            var headers = ["id", "name", "vendor", "family", "status", "year"]
            let metrics = ["bf16DenseTflops", "fp8DenseTflops", "memoryCapacityGB", "memoryBandwidthGBps", "scaleUpPerDirectionGBps"]
            for m in metrics { headers += [m, m + "Low", m + "High", m + "Confidence"] }
            var t = TextTable(headers: headers)
            for c in chips {
                var row = [c.id, c.name, c.vendor, c.family, c.status.rawValue, formatQuantity(c.year.nominal)]
                for v in listMetrics(c) {
                    if let v {
                        row += [csvNumber(v.nominal), v.low.map(csvNumber) ?? "", v.high.map(csvNumber) ?? "", v.confidence.rawValue]
                    } else {
                        row += ["", "", "", ""]
                    }
                }
                t.add(row)
            }
            return t.renderCSV()
        case .table:
            var t = TextTable(headers: listHeaders, rightAligned: Set(2..<listHeaders.count))
            for c in chips {
                let m = listMetrics(c)
                t.add([c.id, c.vendor, formatQuantity(c.year.nominal), c.status.rawValue,
                       cell(m[0]), cell(m[1]), cell(m[2]), cell(m[3], scale: 0.001), cell(m[4])])
            }
            return t.renderText() + "\n~ = estimated by chipmodel; (low-high) = range. Peaks are dense. 'chipmodel chips show ID' gives sources.\n"
        }
    }

    /// BF16 dense, FP8 dense, memory GB, memory GB/s, scale-up GB/s per direction.
    static func listMetrics(_ c: Chip) -> [SpecValue?] {
        [c.densePeaks[.bf16], c.densePeaks[.fp8], c.memory.capacityGB, c.memory.bandwidthGBps,
         c.scaleUp.map { converted($0.bandwidth, to: .perDirection) }]
    }

    static func csvNumber(_ x: Double) -> String { x.isFinite ? JSONValue.formatNumber(x) : "" }

    // MARK: show

    /// Rows of `show`: key path, value, unit hint (the direction of a link), including derived rows.
    static func showRows(_ c: Chip) -> [(String, SpecValue, String)] {
        var rows: [(String, SpecValue, String)] = []
        for (key, v) in c.allSpecValues {
            switch key {
            case "d2d.bandwidthGBps":
                if let d = c.d2d { rows += linkRows("d2d", d.bandwidth) }
            case "scaleUp.bandwidthGBps":
                if let s = c.scaleUp { rows += linkRows("scaleUp", s.bandwidth) }
            case "scaleOut.nicBandwidthGBps":
                if let s = c.scaleOut { rows += linkRows("scaleOut", s.nicBandwidth, key: "nicBandwidthGBps") }
            default:
                rows.append((key, v, ""))
            }
        }
        return rows
    }

    /// "  scaleOut.expertAllToAll.decodeDispatchGBps: EP 8: 98, 16: 63, ... GB/s" for each
    /// expert-kernel figure the spec also gives by expert-parallel size.
    static func expertTableLines(_ c: Chip) -> [String] {
        var out: [String] = []
        for (tier, e) in [("scaleUp", c.scaleUp?.expertAllToAll), ("scaleOut", c.scaleOut?.expertAllToAll)] {
            guard let e else { continue }
            for key in ExpertAllToAllBandwidth.memberKeys {
                guard let rows = e.byExpertParallel[key], !rows.isEmpty else { continue }
                out.append("  \(tier).expertAllToAll.\(key): EP " + rows.map { "\($0.ranks): \(formatQuantity($0.gbps))" }.joined(separator: ", ") + " GB/s per rank")
            }
        }
        return out
    }

    static func linkRows(_ prefix: String, _ link: LinkBandwidth, key: String = "bandwidthGBps") -> [(String, SpecValue, String)] {
        let other: LinkDirection = link.direction == .bidirectional ? .perDirection : .bidirectional
        return [("\(prefix).\(key)", link.stated, "\(directionWord(link.direction)), as stated"),
                ("\(prefix).\(key)", converted(link, to: other), "\(directionWord(other)), derived")]
    }

    static func show(_ c: Chip, format: OutputFormat) -> String {
        switch format {
        case .json:
            return json(c).serialized() + "\n"
        case .csv:
            var t = TextTable(headers: ["field", "direction", "value", "low", "high", "confidence", "sourceKey", "source", "url", "note"])
            for (key, v, dir) in showRows(c) {
                t.add([key, dir, csvNumber(v.nominal), v.low.map(csvNumber) ?? "", v.high.map(csvNumber) ?? "",
                       v.confidence.rawValue, v.source.key, v.source.title, v.source.url ?? "", v.note ?? ""])
            }
            return t.renderCSV()
        case .table:
            var s = "\(c.name)  [\(c.id)]\n"
            var facts: [(String, String)] = [("vendor", c.vendor), ("family", c.family), ("status", c.status.rawValue),
                                              ("form factors", c.formFactors.joined(separator: ", "))]
            if let p = c.dies.processNode { facts.append(("process", p)) }
            if let k = c.computeUnitKind { facts.append(("compute unit", k)) }
            if let v = c.variantOf { facts.append(("variant of", v)) }
            if let m = c.memory.type { facts.append(("memory type", m)) }
            if let u = c.scaleUp { facts.append(("scale-up", u.name)) }
            if let o = c.scaleOut, let n = o.name { facts.append(("scale-out", n)) }
            let w = facts.map(\.0.count).max() ?? 0
            for (k, v) in facts { s += "  " + k + String(repeating: " ", count: w - k.count) + "  " + v + "\n" }
            s += "\n"
            var t = TextTable(headers: ["field", "value", "range", "direction", "confidence", "source"], rightAligned: [1, 2])
            var notes: [String] = []
            for (key, v, dir) in showRows(c) {
                t.add([key, formatQuantity(v.nominal), range(v), dir, v.confidence.rawValue, v.source.key])
                if let n = v.note, !dir.hasSuffix("derived") { notes.append("  \(key): \(n)") }
            }
            s += t.renderText()
            if !notes.isEmpty { s += "\nNotes:\n" + notes.joined(separator: "\n") + "\n" }
            let tables = expertTableLines(c)
            if !tables.isEmpty { s += "\nMeasured by expert-parallel size (between sizes: log-linear):\n" + tables.joined(separator: "\n") + "\n" }
            s += "\nSources:\n"
            for key in c.sources.keys.sorted() {
                if let src = c.sources[key] { s += "  [\(key)] \(src.citation)\n" }
            }
            if !c.notes.isEmpty { s += "\n" + c.notes.map { "  " + $0 }.joined(separator: "\n") + "\n" }
            return s
        }
    }

    // MARK: compare

    /// Field order of `compare`: the spec-file order, with link bandwidths normalized.
    static func compareRows(_ chips: [Chip]) -> [(String, (Chip) -> SpecValue?)] {
        var keys: [String] = []
        var seen = Set<String>()
        // Canonical order: the first chip that has a key decides where it goes, formats in enum order.
        let ordered = canonicalKeys()
        let present = Set(chips.flatMap { $0.allSpecValues.map(\.0) })
        for k in ordered where present.contains(k) && !seen.contains(k) { keys.append(k); seen.insert(k) }
        for c in chips { for (k, _) in c.allSpecValues where !seen.contains(k) { keys.append(k); seen.insert(k) } }
        var rows: [(String, (Chip) -> SpecValue?)] = []
        for k in keys {
            switch k {
            case "d2d.bandwidthGBps":
                rows.append(("d2d.perDirectionGBps", { c in c.d2d.map { converted($0.bandwidth, to: .perDirection) } }))
                rows.append(("d2d.bidirectionalGBps", { c in c.d2d.map { converted($0.bandwidth, to: .bidirectional) } }))
            case "scaleUp.bandwidthGBps":
                rows.append(("scaleUp.perDirectionGBps", { c in c.scaleUp.map { converted($0.bandwidth, to: .perDirection) } }))
                rows.append(("scaleUp.bidirectionalGBps", { c in c.scaleUp.map { converted($0.bandwidth, to: .bidirectional) } }))
            case "scaleOut.nicBandwidthGBps":
                rows.append(("scaleOut.nicPerDirectionGBps", { c in c.scaleOut.map { converted($0.nicBandwidth, to: .perDirection) } }))
            default:
                rows.append((k, { c in c.allSpecValues.first(where: { $0.0 == k })?.1 }))
            }
        }
        return rows
    }

    static func canonicalKeys() -> [String] {
        var k = ["year", "dies.computeDies", "dies.ioDies", "dies.computeDieAreaMm2", "dies.transistorsBillion",
                 "computeUnits", "boostClockMHz"]
        for f in NumberFormat.allCases { k += [f.denseKey, f.rawValue + "MatrixDenseTflops", f.sparseKey] }
        k += ["onChip.sramMB", "onChip.l2CacheMB", "onChip.bandwidthGBps", "memory.stacks", "memory.capacityGB",
              "memory.bandwidthGBps", "d2d.bandwidthGBps", "d2d.latencyNs", "scaleUp.links", "scaleUp.bandwidthGBps",
              "scaleUp.domainSize", "scaleUp.maxDomainSize", "scaleUp.latencyUs", "scaleOut.nicBandwidthGBps",
              "scaleOut.latencyUs", "tdpW"]
        return k
    }

    static func compare(_ chips: [Chip], format: OutputFormat, extraRows: [(String, (Chip) -> SpecValue?)] = [], note: String? = nil) -> String {
        switch format {
        case .json:
            return JSONValue.object([("chips", .array(chips.map { c in
                guard case let .object(m) = json(c), !extraRows.isEmpty else { return json(c) }
                return .object(m + [("efficiency", .object(extraRows.map { ($0.0, $0.1(c).map(json) ?? .null) }))])
            }))]).serialized() + "\n"
        case .csv:
            var headers = ["field"]
            for c in chips { headers += [c.id, c.id + ":low", c.id + ":high", c.id + ":confidence"] }
            var t = TextTable(headers: headers)
            var meta = [["vendor"], ["family"], ["status"]]
            for c in chips {
                meta[0] += [c.vendor, "", "", ""]; meta[1] += [c.family, "", "", ""]; meta[2] += [c.status.rawValue, "", "", ""]
            }
            for m in meta { t.add(m) }
            for (key, get) in compareRows(chips) + extraRows {
                var row = [key]
                for c in chips {
                    if let v = get(c) {
                        row += [csvNumber(v.nominal), v.low.map(csvNumber) ?? "", v.high.map(csvNumber) ?? "", v.confidence.rawValue]
                    } else { row += ["", "", "", ""] }
                }
                t.add(row)
            }
            return t.renderCSV()
        case .table:
            var t = TextTable(headers: ["field"] + chips.map(\.id), rightAligned: Set(1...chips.count))
            t.add(["vendor"] + chips.map(\.vendor))
            t.add(["family"] + chips.map(\.family))
            t.add(["status"] + chips.map(\.status.rawValue))
            for (key, get) in compareRows(chips) + extraRows {
                t.add([key] + chips.map { cell(get($0)) })
            }
            return t.renderText() + "\n~ = estimated by chipmodel; (low-high) = range; - = not published. Link bandwidths normalized to both conventions.\n"
                + (note.map { $0 + "\n" } ?? "")
        }
    }

    // MARK: JSON

    static func json(_ v: SpecValue) -> JSONValue {
        // low/high are always present (null without a range) so consumers see one shape.
        var m: [(String, JSONValue)] = [("value", .num(v.nominal)), ("low", .num(v.low)), ("high", .num(v.high))]
        m += [("confidence", .string(v.confidence.rawValue)), ("sourceKey", .string(v.source.key)),
              ("source", .string(v.source.title))]
        if let u = v.source.url { m.append(("url", .string(u))) }
        if let n = v.note { m.append(("note", .string(n))) }
        return .object(m)
    }

    static func json(_ c: Chip) -> JSONValue {
        var values: [(String, JSONValue)] = []
        for (key, v) in c.allSpecValues { values.append((key, json(v))) }
        var links: [(String, JSONValue)] = []
        func link(_ name: String?, _ l: LinkBandwidth) -> [(String, JSONValue)] {
            var m: [(String, JSONValue)] = []
            if let name { m.append(("name", .string(name))) }
            m += [("statedDirection", .string(l.direction.rawValue)),
                  ("perDirectionGBps", json(converted(l, to: .perDirection))),
                  ("bidirectionalGBps", json(converted(l, to: .bidirectional)))]
            return m
        }
        if let d = c.d2d { links.append(("d2d", .object(link(nil, d.bandwidth)))) }
        if let s = c.scaleUp { links.append(("scaleUp", .object(link(s.name, s.bandwidth)))) }
        if let s = c.scaleOut { links.append(("scaleOut", .object(link(s.name, s.nicBandwidth)))) }
        var m: [(String, JSONValue)] = [
            ("id", .string(c.id)), ("name", .string(c.name)), ("vendor", .string(c.vendor)), ("family", .string(c.family)),
            ("status", .string(c.status.rawValue)), ("segment", .string(c.segment.rawValue)), ("formFactors", .array(c.formFactors.map { .string($0) })),
        ]
        if let p = c.dies.processNode { m.append(("processNode", .string(p))) }
        if let t = c.memory.type { m.append(("memoryType", .string(t))) }
        if let k = c.computeUnitKind { m.append(("computeUnitKind", .string(k))) }
        if let v = c.variantOf { m.append(("variantOf", .string(v))) }
        m.append(("values", .object(values)))
        m.append(("links", .object(links)))
        m.append(("sources", .object(c.sources.keys.sorted().compactMap { k in
            c.sources[k].map { s in (k, .object([("title", .string(s.title))] + (s.url.map { [("url", JSONValue.string($0))] } ?? []))) }
        })))
        m.append(("notes", .array(c.notes.map { .string($0) })))
        return .object(m)
    }
}
