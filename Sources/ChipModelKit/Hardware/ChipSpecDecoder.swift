/// Decodes and validates one chip spec file (format: `Specs/README.md`).
///
/// Every problem is recorded with its key path; the chip is returned only when there were
/// none, so nothing is half-loaded.
public enum ChipSpecDecoder {
    /// Keys of the numeric peak fields at the top level of a chip spec.
    public static var peakKeys: [String] {
        NumberFormat.allCases.flatMap { [$0.denseKey, $0.sparseKey] } + ["fp64MatrixDenseTflops", "fp32MatrixDenseTflops"]
    }

    public static func decode(_ json: JSONValue, file: String) -> Result<Chip, InputError> {
        let log = ProblemLog(file: file)
        let chip = decode(json, log: log)
        if let chip, log.problems.isEmpty { return .success(chip) }
        if log.problems.isEmpty { log.add("", "could not be read as a chip spec") }
        return .failure(InputError(log.problems))
    }

    public static func decode(bytes: [UInt8], file: String) -> Result<Chip, InputError> {
        do {
            let json = try JSONValue.parse(bytes)
            return decode(json, file: file)
        } catch {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "invalid JSON: \(error)")]))
        }
    }

    static func decode(_ json: JSONValue, log: ProblemLog) -> Chip? {
        guard let root = ObjectReader(json, path: "", log: log) else { return nil }
        let id = root.string("id", required: true)
        if let id, !isValidID(id) {
            log.add("id", "'\(id)' must be lower-case letters, digits, '.' and '-'")
        }
        let name = root.string("name", required: true)
        let vendor = root.string("vendor", required: true)
        let family = root.string("family", required: true)
        let statusText = root.choice("status", from: ChipStatus.allCases.map(\.rawValue), required: true)
        let formFactors = root.stringArray("formFactors", required: true)
        let segmentText = root.choice("segment", from: ChipSegment.allCases.map(\.rawValue))
        let notes = root.stringArray("notes") ?? []

        // Sources first: every value refers to one by key.
        let sources = readSources(root, log: log)
        let status = statusText.flatMap(ChipStatus.init(rawValue:))
        let values = ValueReader(sources: sources, log: log, status: status)

        let year = values.read(root, "year", required: true)
        if let y = year, !(1990...2100).contains(y.nominal) { log.add("year.value", "year \(y.nominal) is out of range") }

        var dies: Dies?
        if let d = root.object("dies", required: true) {
            let computeDies = values.read(d, "computeDies", required: true)
            dies = computeDies.map {
                Dies(computeDies: $0, ioDies: values.read(d, "ioDies"), processNode: d.string("processNode"),
                     computeDieAreaMm2: values.read(d, "computeDieAreaMm2"),
                     transistorsBillion: values.read(d, "transistorsBillion"), devicesPerPackage: values.read(d, "devicesPerPackage"))
            }
            if let c = computeDies, c.nominal != c.nominal.rounded() { log.add("dies.computeDies.value", "must be a whole number") }
            if let v = dies?.devicesPerPackage, v.nominal != v.nominal.rounded() || v.nominal < 1 || v.nominal > (dies?.computeDies.nominal ?? 1) {
                log.add("dies.devicesPerPackage.value", "must be a whole number from 1 to dies.computeDies")
            }
            d.finish()
        }

        var dense: [NumberFormat: SpecValue] = [:]
        var sparse: [NumberFormat: SpecValue] = [:]
        var matrix: [NumberFormat: SpecValue] = [:]
        for f in NumberFormat.allCases {
            if let v = values.read(root, f.denseKey) { dense[f] = v }
            if let v = values.read(root, f.sparseKey) { sparse[f] = v }
        }
        if let v = values.read(root, "fp64MatrixDenseTflops") { matrix[.fp64] = v }
        if let v = values.read(root, "fp32MatrixDenseTflops") { matrix[.fp32] = v }
        for (f, s) in sparse {
            if let d = dense[f], s.nominal < d.nominal {
                log.add(f.sparseKey, "sparse peak \(formatQuantity(s.nominal)) is below the dense peak \(formatQuantity(d.nominal))")
            }
        }

        var onChip = OnChipMemory()
        if let o = root.object("onChip") {
            onChip.sramMB = values.read(o, "sramMB")
            onChip.l2CacheMB = values.read(o, "l2CacheMB")
            onChip.bandwidthGBps = values.read(o, "bandwidthGBps")
            o.finish()
        }
        var memory = Memory()
        if let m = root.object("memory") {
            memory.type = m.string("type")
            memory.stacks = values.read(m, "stacks")
            memory.capacityGB = values.read(m, "capacityGB")
            memory.bandwidthGBps = values.read(m, "bandwidthGBps")
            m.finish()
        }
        var d2d: D2DLink?
        if let d = root.object("d2d") {
            let bw = values.read(d, "bandwidthGBps", required: true)
            let dir = d.choice("direction", from: LinkDirection.allCases.map(\.rawValue), required: true).flatMap(LinkDirection.init(rawValue:))
            let latency = values.read(d, "latencyNs")
            d.finish()
            if let bw, let dir { d2d = D2DLink(bandwidth: LinkBandwidth(stated: bw, direction: dir), latencyNs: latency) }
        }
        var scaleUp: ScaleUp?
        if let s = root.object("scaleUp") {
            let name = s.string("name", required: true)
            let links = values.read(s, "links")
            let bw = values.read(s, "bandwidthGBps", required: true)
            let dir = s.choice("direction", from: LinkDirection.allCases.map(\.rawValue), required: true).flatMap(LinkDirection.init(rawValue:))
            let domain = values.read(s, "domainSize", required: true)
            let maxDomain = values.read(s, "maxDomainSize")
            let latency = values.read(s, "latencyUs")
            let expert = s.object("expertAllToAll").map { readExpertAllToAll($0, values: values) }
            s.finish()
            if let domain, domain.nominal != domain.nominal.rounded() { log.add("scaleUp.domainSize.value", "must be a whole number") }
            if let maxDomain, maxDomain.nominal != maxDomain.nominal.rounded() { log.add("scaleUp.maxDomainSize.value", "must be a whole number") }
            if let links, links.nominal != links.nominal.rounded() { log.add("scaleUp.links.value", "must be a whole number") }
            if let domain, let maxDomain, maxDomain.nominal < domain.nominal {
                log.add("scaleUp.maxDomainSize", "is below domainSize")
            }
            if let name, let bw, let dir, let domain {
                scaleUp = ScaleUp(name: name, links: links, bandwidth: LinkBandwidth(stated: bw, direction: dir),
                                  domainSize: domain, maxDomainSize: maxDomain, latencyUs: latency, expertAllToAll: expert)
            }
        }
        var scaleOut: ScaleOut?
        if let s = root.object("scaleOut") {
            let name = s.string("name")
            let bw = values.read(s, "nicBandwidthGBps", required: true)
            let dir = s.choice("direction", from: LinkDirection.allCases.map(\.rawValue), required: true).flatMap(LinkDirection.init(rawValue:))
            let latency = values.read(s, "latencyUs")
            let expert = s.object("expertAllToAll").map { readExpertAllToAll($0, values: values) }
            s.finish()
            if let bw, let dir {
                scaleOut = ScaleOut(name: name, nicBandwidth: LinkBandwidth(stated: bw, direction: dir), latencyUs: latency, expertAllToAll: expert)
            }
        }
        let tdp = values.read(root, "tdpW")
        let computeUnits = values.read(root, "computeUnits")
        if let c = computeUnits {
            if c.nominal != c.nominal.rounded() { log.add("computeUnits.value", "must be a whole number") }
            if c.nominal > 1_000_000 { log.add("computeUnits.value", "is implausibly large (\(formatQuantity(c.nominal)))") }
        }
        let computeUnitKind = root.string("computeUnitKind")
        if computeUnitKind != nil, computeUnits == nil, !root.has("computeUnits") {
            log.add("computeUnitKind", "given without computeUnits")
        }
        let variantOf = root.string("variantOf")
        if let v = variantOf, !isValidID(v) { log.add("variantOf", "'\(v)' is not a chip id") }
        if let v = variantOf, v == id { log.add("variantOf", "a chip cannot be a variant of itself") }
        let boostClock = values.read(root, "boostClockMHz")
        if let b = boostClock, !(10...10_000).contains(b.nominal) {
            log.add("boostClockMHz.value", "\(formatQuantity(b.nominal)) MHz is outside 10-10000")
        }
        root.finish()

        guard let id, let name, let vendor, let family, let status, let year, let formFactors, let dies else { return nil }
        if formFactors.isEmpty { log.add("formFactors", "must list at least one form factor") }
        var chip = Chip(id: id, name: name, vendor: vendor, family: family, status: status, year: year,
                        formFactors: formFactors, dies: dies, densePeaks: dense, sparsePeaks: sparse,
                        matrixPeaks: matrix, onChip: onChip, memory: memory, d2d: d2d, scaleUp: scaleUp,
                        scaleOut: scaleOut, tdpW: tdp, sources: sources, notes: notes)
        chip.segment = segmentText.flatMap(ChipSegment.init(rawValue:)) ?? .datacenter
        chip.computeUnits = computeUnits
        chip.computeUnitKind = computeUnitKind
        chip.boostClockMHz = boostClock
        chip.variantOf = variantOf
        return chip
    }

    /// The required `sources` table (`key -> { "title", "url" }`) of a spec document; also
    /// read by the other spec files that use spec values (`Specs/economics/*.json`,
    /// `Specs/reliability/failure-rates.json`).
    static func readSources(_ root: ObjectReader, log: ProblemLog) -> [String: SourceRef] {
        var sources: [String: SourceRef] = [:]
        if let table = root.object("sources", required: true) {
            for key in table.keys {
                guard let s = table.object(key) else { continue }
                let title = s.string("title", required: true)
                let url = s.string("url")
                s.finish()
                if let title { sources[key] = SourceRef(key: key, title: title, url: url) }
            }
            if table.keys.isEmpty { log.add("sources", "must list at least one source") }
        }
        return sources
    }

    /// `expertAllToAll` of `scaleUp` or `scaleOut`: four optional spec values, GB/s per rank.
    static func readExpertAllToAll(_ e: ObjectReader, values: ValueReader) -> ExpertAllToAllBandwidth {
        var x = ExpertAllToAllBandwidth(decodeDispatchGBps: values.read(e, "decodeDispatchGBps"),
                                        decodeCombineGBps: values.read(e, "decodeCombineGBps"),
                                        prefillDispatchGBps: values.read(e, "prefillDispatchGBps"),
                                        prefillCombineGBps: values.read(e, "prefillCombineGBps"))
        // `<key>ByExpertParallel`: { "<ranks>": GB/s, ... }, measured with `<key>`'s source.
        for key in ExpertAllToAllBandwidth.memberKeys {
            guard let t = e.object(key + "ByExpertParallel") else { continue }
            if !e.has(key) { values.log.add(e.keyPath(key + "ByExpertParallel"), "given without \(key) (the figure whose source it shares)") }
            var rows: [ExpertParallelRate] = []
            for k in t.keys {
                guard let ranks = Int(k), (1...1 << 20).contains(ranks) else {
                    values.log.add(t.keyPath(k), "must be an expert-parallel size (a whole number of ranks)")
                    continue
                }
                if let g = t.number(k, required: true, positive: true) { rows.append(ExpertParallelRate(ranks: ranks, gbps: g)) }
            }
            t.finish()
            x.byExpertParallel[key] = rows.sorted { $0.ranks < $1.ranks }
        }
        e.finish()
        return x
    }

    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
        } && id.first != "-"
    }
}

/// Reads `{ "value", "low", "high", "source", "confidence", "note" }` spec values.
struct ValueReader {
    let sources: [String: SourceRef]
    let log: ProblemLog
    let status: ChipStatus?

    func read(_ parent: ObjectReader, _ key: String, required: Bool = false) -> SpecValue? {
        guard let o = parent.object(key, required: required) else { return nil }
        return read(object: o, key: key)
    }

    /// Reads the spec value held by `o` (`key` is its name, for the roadmap/year rules).
    func read(object o: ObjectReader, key: String) -> SpecValue? {
        let path = o.path
        let value = o.number("value", required: true, positive: true)
        let low = o.number("low", positive: true)
        let high = o.number("high", positive: true)
        let sourceKey = o.string("source", required: true)
        let confidence = o.choice("confidence", from: Confidence.allCases.map(\.rawValue), required: true)
            .flatMap(Confidence.init(rawValue:))
        let note = o.string("note")
        o.finish()
        var source: SourceRef?
        if let sourceKey {
            source = sources[sourceKey]
            if source == nil {
                var msg = "source '\(sourceKey)' is not listed under 'sources'"
                if let near = nearestNames(to: sourceKey, in: Array(sources.keys), limit: 1).first { msg += " (did you mean '\(near)'?)" }
                log.add("\(path).source", msg)
            }
        }
        if (low == nil) != (high == nil) { log.add(path, "give both 'low' and 'high', or neither") }
        if let l = low, let h = high {
            if l > h { log.add(path, "range low \(formatQuantity(l)) is above high \(formatQuantity(h))") }
            else if let v = value, v < l || v > h {
                log.add(path, "nominal value \(formatQuantity(v)) is outside its range \(formatQuantity(l))-\(formatQuantity(h))")
            }
        }
        if confidence == .estimated, low == nil, key != "year" {
            log.add(path, "an estimated value needs a 'low'-'high' range")
        } else if status == .roadmap, low == nil, key != "year" {
            log.add(path, "a roadmap chip's value needs a 'low'-'high' range")
        }
        guard let value, let source, let confidence else { return nil }
        return SpecValue(value, low: low, high: high, confidence: confidence, source: source, note: note)
    }
}
