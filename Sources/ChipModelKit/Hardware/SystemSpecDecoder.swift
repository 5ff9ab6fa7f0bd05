/// Decodes and validates one system spec file (format: `Specs/README.md`, section Systems).
///
/// Every problem is recorded with its key path, as the chip decoder does; the system is returned
/// only when there were none. `chipIDs` are the chips the system may name; an unknown chip is an
/// error with the nearest ids.
public enum SystemSpecDecoder {
    public static func decode(bytes: [UInt8], file: String, chipIDs: [String]) -> Result<SystemSpec, InputError> {
        do {
            let json = try JSONValue.parse(bytes)
            let log = ProblemLog(file: file)
            let system = decode(json, log: log, chipIDs: chipIDs)
            if let system, log.problems.isEmpty { return .success(system) }
            if log.problems.isEmpty { log.add("", "could not be read as a system spec") }
            return .failure(InputError(log.problems))
        } catch {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "invalid JSON: \(error)")]))
        }
    }

    static func decode(_ json: JSONValue, log: ProblemLog, chipIDs: [String]) -> SystemSpec? {
        guard let root = ObjectReader(json, path: "", log: log) else { return nil }
        let id = root.string("id", required: true)
        if let id, !ChipSpecDecoder.isValidID(id) {
            log.add("id", "'\(id)' must be lower-case letters, digits, '.' and '-'")
        }
        let name = root.string("name", required: true)
        let vendor = root.string("vendor", required: true)
        let status = root.choice("status", from: ChipStatus.allCases.map(\.rawValue), required: true)
            .flatMap(ChipStatus.init(rawValue:))
        let chip = root.string("chip", required: true)
        if let chip, !chipIDs.contains(chip) {
            var msg = "unknown chip '\(chip)'"
            let near = nearestNames(to: chip, in: chipIDs)
            if !near.isEmpty { msg += " (did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?)" }
            log.add("chip", msg)
        }
        let notes = root.stringArray("notes") ?? []
        let sources = ChipSpecDecoder.readSources(root, log: log)
        let values = ValueReader(sources: sources, log: log, status: status)

        let year = values.read(root, "year", required: true)
        if let y = year, !(1990...2100).contains(y.nominal) { log.add("year.value", "year \(y.nominal) is out of range") }
        let chipsPerNode = values.read(root, "chipsPerNode", required: true)
        let nodes = values.read(root, "nodes", required: true)
        requireWhole(chipsPerNode, "chipsPerNode", log)
        requireWhole(nodes, "nodes", log)

        let scaleUp = root.object("scaleUp", required: true).flatMap { readScaleUp($0, values: values, log: log) }
        let scaleOut = root.object("scaleOut").flatMap { readScaleOut($0, values: values, log: log) }
        var host = SystemHost()
        if let h = root.object("host") {
            host.checkpointWriteGBpsPerNode = values.read(h, "checkpointWriteGBpsPerNode")
            host.powerOverheadWPerNode = values.read(h, "powerOverheadWPerNode")
            h.finish()
        }
        root.finish()

        // Sizes must fit together: domains tile the system, nodes tile domains (or the reverse).
        if let cpn = chipsPerNode, let n = nodes, let su = scaleUp, cpn.nominal.isWhole, n.nominal.isWhole,
           su.domainSize.nominal.isWhole {
            let total = cpn.nominal * n.nominal
            let domain = su.domainSize.nominal
            if domain > total {
                log.add("scaleUp.domainSize", "\(formatQuantity(domain)) chips exceed the system's \(formatQuantity(total)) (chipsPerNode x nodes)")
            } else if total.truncatingRemainder(dividingBy: domain) != 0 {
                log.add("scaleUp.domainSize", "\(formatQuantity(total)) chips (chipsPerNode x nodes) do not split into domains of \(formatQuantity(domain))")
            } else if domain.truncatingRemainder(dividingBy: cpn.nominal) != 0 && cpn.nominal.truncatingRemainder(dividingBy: domain) != 0 {
                log.add("scaleUp.domainSize", "a domain of \(formatQuantity(domain)) neither spans whole nodes of \(formatQuantity(cpn.nominal)) nor divides one")
            }
            if scaleOut == nil && !root.has("scaleOut") && domain < total {
                log.add("scaleOut", "required when the system has more than one scale-up domain")
            }
        }

        guard let id, let name, let vendor, let status, let chip, let year, let chipsPerNode, let nodes, let scaleUp,
              log.problems.isEmpty else { return nil }
        return SystemSpec(id: id, name: name, vendor: vendor, status: status, year: year, chip: chip,
                          chipsPerNode: chipsPerNode, nodes: nodes, scaleUp: scaleUp, scaleOut: scaleOut, host: host,
                          sources: sources, notes: notes)
    }


    static func readScaleUp(_ s: ObjectReader, values: ValueReader, log: ProblemLog) -> SystemScaleUp? {
        let name = s.string("name", required: true)
        let topology = s.choice("topology", from: ScaleUpTopology.allCases.map(\.rawValue), required: true)
            .flatMap(ScaleUpTopology.init(rawValue:))
        let domain = values.read(s, "domainSize", required: true)
        requireWhole(domain, "scaleUp.domainSize", log)
        let bw = values.read(s, "bandwidthGBps", required: true)
        let dir = s.choice("direction", from: LinkDirection.allCases.map(\.rawValue), required: true).flatMap(LinkDirection.init(rawValue:))
        let links = values.read(s, "links")
        requireWhole(links, "scaleUp.links", log)
        let latency = values.read(s, "latencyUs")
        let note = s.string("note")

        var dimensions: [Int] = []
        let hasDims = s.has("dimensions")
        if let items = s.array("dimensions") {
            for (i, item) in items.enumerated() {
                if let n = item.numberValue, n.isWhole, n >= 1, n <= 65_536 { dimensions.append(Int(n)) }
                else { log.add("\(s.keyPath("dimensions"))[\(i)]", "expected a whole number of chips in 1...65536") }
            }
        }
        var dimBandwidth: [SpecValue] = []
        let hasDimBandwidth = s.has("dimensionBandwidthGBps")
        if let items = s.array("dimensionBandwidthGBps") {
            for (i, item) in items.enumerated() {
                let path = "\(s.keyPath("dimensionBandwidthGBps"))[\(i)]"
                guard let o = ObjectReader(item, path: path, log: log) else { continue }
                if let v = values.read(object: o, key: "dimensionBandwidthGBps") { dimBandwidth.append(v) }
            }
        }
        s.finish()

        if let topology {
            if topology.hasDimensions {
                let want = topology == .torus2d ? [2] : topology == .torus3d ? [3] : [2, 3]
                if !hasDims {
                    log.add(s.keyPath("dimensions"), "required for topology '\(topology.rawValue)' (chips per dimension)")
                } else if !want.contains(dimensions.count) {
                    log.add(s.keyPath("dimensions"), "topology '\(topology.rawValue)' needs \(want.map(String.init).joined(separator: " or ")) dimensions, found \(dimensions.count)")
                } else if let d = domain, Double(dimensions.reduce(1, *)) != d.nominal {
                    log.add(s.keyPath("dimensions"), "\(dimensions.map(String.init).joined(separator: "x")) = \(dimensions.reduce(1, *)) chips, but domainSize is \(formatQuantity(d.nominal))")
                }
            } else if hasDims {
                log.add(s.keyPath("dimensions"), "only a torus or mesh has dimensions, not topology '\(topology.rawValue)'")
            }
            if hasDimBandwidth && !topology.hasDimensions {
                log.add(s.keyPath("dimensionBandwidthGBps"), "only a torus or mesh has per-dimension bandwidth")
            } else if hasDimBandwidth && dimBandwidth.count != dimensions.count && !dimensions.isEmpty {
                log.add(s.keyPath("dimensionBandwidthGBps"), "gives \(dimBandwidth.count) values for \(dimensions.count) dimensions")
            }
        }
        guard let name, let topology, let domain, let bw, let dir else { return nil }
        return SystemScaleUp(name: name, topology: topology, domainSize: domain, dimensions: dimensions,
                             bandwidth: LinkBandwidth(stated: bw, direction: dir), dimensionBandwidthGBps: dimBandwidth,
                             links: links, latencyUs: latency, note: note)
    }

    static func readScaleOut(_ s: ObjectReader, values: ValueReader, log: ProblemLog) -> SystemScaleOut? {
        let name = s.string("name", required: true)
        let nics = values.read(s, "nicsPerChip", required: true)
        let rate = values.read(s, "nicLineRateGbps", required: true)
        let rails = values.read(s, "rails")
        requireWhole(rails, "scaleOut.rails", log)
        let over = values.read(s, "oversubscription")
        if let o = over, (o.low ?? o.nominal) < 1 {
            log.add("scaleOut.oversubscription", "must be at least 1 (1 = non-blocking), found \(formatQuantity(o.low ?? o.nominal))")
        }
        let tiers = values.read(s, "tiers")
        requireWhole(tiers, "scaleOut.tiers", log)
        if let t = tiers, t.nominal > 8 { log.add("scaleOut.tiers.value", "\(formatQuantity(t.nominal)) switch tiers is implausible (at most 8)") }
        let latency = values.read(s, "latencyUs")
        let note = s.string("note")
        s.finish()
        guard let name, let nics, let rate else { return nil }
        return SystemScaleOut(name: name, nicsPerChip: nics, nicLineRateGbps: rate, rails: rails,
                              oversubscription: over, tiers: tiers, latencyUs: latency, note: note)
    }

    static func requireWhole(_ v: SpecValue?, _ path: String, _ log: ProblemLog) {
        guard let v else { return }
        for (x, part) in [(v.nominal, "value"), (v.low, "low"), (v.high, "high")] {
            if let x, !x.isWhole { log.add("\(path).\(part)", "must be a whole number") }
        }
    }
}

private extension Double {
    /// A finite whole number.
    var isWhole: Bool { isFinite && self == rounded() }
}
