import ChipModelKit

/// `--system ID` (estimate, roofline, whatif): a catalog system as what a run executes on.
let systemOptions: [OptionSpec] = [
    .value("--system", "ID", "Run on a catalog system ('chipmodel systems'): its chip, chip count, scale-up domain and topology, scale-out fabric, and host figures (power per node, checkpoint write bandwidth per node) for power and goodput (--chips overrides the count)."),
    .value("--systems", "DIR", "Also load system spec files (*.json) from DIR."),
]

/// A resolved `--system`: the system's chip with the system's links, the cluster shape and
/// the scale-up fabric.
struct SystemSelection {
    var system: SystemSpec
    /// `system.effectiveChip(base)`: compute and memory of the chip, links of the system.
    var chip: Chip
    /// Chips the run uses: `--chips` when given, else the whole system.
    var count: Int
    var domain: Int
    /// nil for a switched domain (the two-tier network, unchanged).
    var fabric: ScaleUpFabric?

    /// The `system` member of JSON output: which system, how many of its chips, the domain used.
    var json: JSONValue {
        .object([("id", .string(system.id)), ("name", .string(system.name)), ("chip", .string(system.chip)),
                 ("chips", .number(Double(count))), ("scaleUpDomain", .number(Double(domain))),
                 ("scaleUpTopology", .string(system.scaleUp.topology.rawValue))])
    }

    /// Chips per server node of the system (host power, checkpoint bandwidth per node).
    var chipsPerNode: Int { max(1, Int(system.chipsPerNode.nominal.rounded())) }

    /// The power and cost assumptions with the system's node shape and its power per node
    /// beyond the accelerators (when the spec has one) in place of the table's defaults.
    func applied(to a: PowerCostAssumptions) -> PowerCostAssumptions {
        var a = a
        a.chipsPerNode = chipsPerNode
        if let w = system.host.powerOverheadWPerNode { a.nodeOverheadW = w }
        return a
    }

    /// The system's figures the goodput model uses (nodes, NICs, checkpoint write bandwidth).
    var goodputFigures: SystemGoodputFigures {
        SystemGoodputFigures(id: system.id, chipsPerNode: chipsPerNode, nicsPerChip: system.scaleOut?.nicsPerChip.nominal,
                             checkpointWriteGBpsPerNode: system.host.checkpointWriteGBpsPerNode)
    }

    /// One line for table output.
    var summary: String {
        let s = system
        var line = "System: \(s.name) [\(s.id)]: \(count) x \(s.chip), scale-up \(s.scaleUp.topology.rawValue)"
        if !s.scaleUp.dimensions.isEmpty { line += " \(s.scaleUp.dimensions.map(String.init).joined(separator: "x"))" }
        line += " of \(s.domainChips)" + (domain < s.domainChips ? " (\(domain) used)" : "")
        line += " at \(formatQuantity(s.scaleUp.perDirectionGBps())) GB/s per chip each way"
        if let out = s.scaleOutPerChipValue() { line += ", scale-out \(formatQuantity(out.nominal)) GB/s per chip" }
        return line + "\n\n"
    }
}

/// Parses `--system` for a command that would otherwise take `--chip` (nil without it).
/// `--chip` and `--scale-up-domain` contradict it; `--chips`, when given, must fill whole
/// scale-up domains (or fit in one).
func resolveSystem(_ args: ParsedArguments, _ context: CommandContext, chips catalog: ChipCatalog? = nil,
                   countRange: ClosedRange<Int> = 1...10_000_000) throws -> SystemSelection? {
    guard let id = args.value("--system") else { return nil }
    if !args.all("--chip").isEmpty || !args.all("--from").isEmpty {
        throw UsageError("--system names its chip; drop --chip/--from")
    }
    if args.value("--scale-up-domain") != nil { throw UsageError("--system sets the scale-up domain; drop --scale-up-domain") }
    let chips = try catalog ?? ChipModelCLI.catalog(args, context)
    let system = try SystemsCommand.loadSystems(args, context, chips: chips).system(id)
    let base = try chips.chip(system.chip)
    let domain = system.domainChips
    let count = try args.int("--chips", range: countRange) ?? system.totalChips
    if count > domain && count % domain != 0 {
        throw UsageError("--chips \(count) does not fill whole scale-up domains of \(domain) chips in system '\(system.id)'")
    }
    return SystemSelection(system: system, chip: system.effectiveChip(base), count: count, domain: min(domain, count),
                           fabric: ScaleUpFabric(system: system))
}

/// The spec document of a system's chip with the system's links in place of the chip's
/// (`whatif --system`: the template `--set` edits): scaleUp and scaleOut replaced by spec
/// values of the system, the system's sources added under `system-<key>`.
func systemChipDocument(_ chipDocument: JSONValue, system: SystemSpec) -> JSONValue {
    func value(_ v: SpecValue) -> JSONValue {
        var m: [(String, JSONValue)] = [("value", .number(v.nominal))]
        if let l = v.low, let h = v.high { m += [("low", .number(l)), ("high", .number(h))] }
        m += [("source", .string("system-" + v.source.key)), ("confidence", .string(v.confidence.rawValue))]
        if let n = v.note { m.append(("note", .string(n))) }
        return .object(m)
    }
    guard case var .object(members) = chipDocument else { return chipDocument }
    let u = system.scaleUp
    var up: [(String, JSONValue)] = [("name", .string(u.name))]
    if let l = u.links { up.append(("links", value(l))) }
    up += [("bandwidthGBps", value(u.bandwidth.stated)), ("direction", .string(u.bandwidth.direction.rawValue)),
           ("domainSize", value(u.domainSize))]
    if let l = u.latencyUs { up.append(("latencyUs", value(l))) }
    var replaced: [(String, JSONValue)] = [("scaleUp", .object(up))]
    if let o = system.scaleOut, let bw = system.scaleOutPerChipValue() {
        var out: [(String, JSONValue)] = [("name", .string(o.name)), ("nicBandwidthGBps", value(bw)), ("direction", .string("perDirection"))]
        if let l = o.latencyUs { out.append(("latencyUs", value(l))) }
        replaced.append(("scaleOut", .object(out)))
    }
    for (key, v) in replaced {
        if let i = members.firstIndex(where: { $0.0 == key }) { members[i].1 = v } else { members.append((key, v)) }
    }
    if let i = members.firstIndex(where: { $0.0 == "sources" }), case var .object(sources) = members[i].1 {
        for k in system.sources.keys.sorted() {
            guard let s = system.sources[k] else { continue }
            sources.append(("system-" + k, .object([("title", .string(s.title))] + (s.url.map { [("url", JSONValue.string($0))] } ?? []))))
        }
        members[i].1 = .object(sources)
    }
    return .object(members)
}
