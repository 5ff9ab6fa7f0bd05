import ChipModelKit
import Foundation

/// The library's fuzz targets: the JSON parser, the chip spec decoder, the catalog loader and
/// the model decoder, each fed mutated real documents, each result checked.
public enum KitFuzzTargets {
    /// Every library target over `corpus`.
    public static func all(_ corpus: FuzzCorpus) -> [FuzzTarget] {
        [json(corpus), chipSpec(corpus), catalog(corpus), model(corpus), cases(corpus)]
    }

    /// The case loader (`CaseDecoder.decode`, Benchmarks/CASES.md format) over mutated case files.
    public static func cases(_ corpus: FuzzCorpus) -> FuzzTarget {
        FuzzTarget("cases") { rng in
            let bytes = corpus.mutated(rng.pick(corpus.cases), rng: &rng)
            return FuzzResult(checkCases(bytes, file: "fuzz/cases.json"), input: FuzzFormat.literal(bytes, limit: corpus.describeLimit))
        }
    }

    public static func json(_ corpus: FuzzCorpus) -> FuzzTarget {
        FuzzTarget("json") { rng in
            let bytes = corpus.mutated(rng.pick(corpus.all), rng: &rng)
            return FuzzResult(checkJSON(bytes), input: FuzzFormat.literal(bytes, limit: corpus.describeLimit))
        }
    }

    public static func chipSpec(_ corpus: FuzzCorpus) -> FuzzTarget {
        FuzzTarget("chip-spec") { rng in
            let bytes = corpus.mutated(rng.pick(corpus.chips), rng: &rng)
            return FuzzResult(checkChipSpec(bytes, file: "fuzz/chip.json"), input: FuzzFormat.literal(bytes, limit: corpus.describeLimit))
        }
    }

    public static func model(_ corpus: FuzzCorpus) -> FuzzTarget {
        FuzzTarget("model") { rng in
            let bytes = corpus.mutated(rng.pick(corpus.models), rng: &rng)
            return FuzzResult(checkModel(bytes, file: "fuzz/model.json"), input: FuzzFormat.literal(bytes, limit: corpus.describeLimit))
        }
    }

    /// The catalog over the built-in specs plus 1-3 user files (mutated or not).
    public static func catalog(_ corpus: FuzzCorpus) -> FuzzTarget {
        let builtInIDs = corpus.chips.compactMap { try? ChipSpecDecoder.decode(bytes: $0.bytes, file: $0.file).get().id }
        return FuzzTarget("catalog") { rng in
            var docs: [SpecDocument] = []
            for i in 0..<(1 + rng.below(3)) {
                let seed = rng.pick(corpus.chips)
                let bytes = rng.chance(0.4) ? seed.bytes : corpus.mutated(seed, rng: &rng)
                docs.append(SpecDocument(file: "fuzz/specs/user\(i).json", bytes: bytes))
            }
            return FuzzResult(checkCatalog(builtIn: corpus.chips, user: docs, builtInIDs: builtInIDs),
                              input: docs.map { "\($0.file): \(FuzzFormat.literal($0.bytes, limit: corpus.describeLimit))" }.joined(separator: "\n  "))
        }
    }

    // MARK: Checks

    /// The parser: a value that serializes and parses back to itself, or a one-line error.
    public static func checkJSON(_ bytes: [UInt8]) -> FuzzOutcome {
        do {
            let v = try JSONValue.parse(bytes)
            for pretty in [false, true] {
                let text = v.serialized(pretty: pretty)
                guard let back = try? JSONValue.parse(text) else { return .failed("serialized value does not parse back") }
                guard back == v else { return .failed("serialize/parse round trip changed the value") }
            }
            return .accepted
        } catch {
            if error.line < 1 || error.column < 1 { return .failed("error position \(error.line):\(error.column)") }
            if let bad = multiLine(error.description) { return .failed("syntax error is not one line: \(bad)") }
            return .rejected
        }
    }

    /// The chip decoder: a chip whose every value is finite and usable by the roofline, or
    /// one-line problems naming the file.
    public static func checkChipSpec(_ bytes: [UInt8], file: String) -> FuzzOutcome {
        switch ChipSpecDecoder.decode(bytes: bytes, file: file) {
        case let .success(chip):
            if let problem = checkChip(chip) { return .failed(problem) }
            return .accepted
        case let .failure(error):
            if let problem = checkProblems(error, files: [file]) { return .failed(problem) }
            return .rejected
        }
    }

    /// The model decoder: a model whose counts are finite and consistent, or clean problems.
    public static func checkModel(_ bytes: [UInt8], file: String) -> FuzzOutcome {
        checkDecoder(bytes, file: file, decode: ModelDecoder.decode(bytes:file:), validate: checkModelSpec)
    }

    /// The case decoder: cases whose every number is finite and in range, ids unique, or
    /// one-line problems naming the file.
    public static func checkCases(_ bytes: [UInt8], file: String) -> FuzzOutcome {
        checkDecoder(bytes, file: file, decode: CaseDecoder.decode(bytes:file:), validate: checkCaseList)
    }

    /// What a decoded case list must satisfy for the validator to use it without traps.
    public static func checkCaseList(_ cases: [MeasurementCase]) -> String? {
        var ids = Set<String>()
        for c in cases {
            if c.id.isEmpty { return "a case has an empty id" }
            if !ids.insert(c.id).inserted { return "duplicate case id '\(c.id)' accepted" }
            if !(c.weight.isFinite && c.weight >= 0 && c.weight <= 1) { return "\(c.id): weight \(c.weight) accepted" }
            if !(c.measured.isFinite && c.measured > 0) { return "\(c.id): measured value \(c.measured) accepted" }
            if c.chipCount < 1 { return "\(c.id): chip count \(c.chipCount) accepted" }
            if !c.metric.applies(to: c.kind) { return "\(c.id): metric \(c.metric) with a \(c.kind) workload accepted" }
            for (name, v) in [("scaleUpDomain", c.scaleUpDomain), ("sequenceLength", c.sequenceLength), ("globalBatch", c.globalBatch),
                              ("batch", c.batch)] {
                if let v, v < 1 { return "\(c.id): \(name) \(v) accepted" }
            }
            // Token counts may be 0 (Benchmarks/CASES.md: outputTokens 0 for encoders; the estimators
            // treat a 0-token prompt as 1 token).
            for (name, v) in [("inputTokens", c.inputTokens), ("outputTokens", c.outputTokens)] {
                if let v, v < 0 { return "\(c.id): \(name) \(v) accepted" }
            }
            for (name, v) in [("ttftMs", c.ttftBoundMs), ("tpotMs", c.tpotBoundMs)] {
                if let v, !(v.isFinite && v > 0) { return "\(c.id): latency bound \(name) \(v) accepted" }
            }
            if case let .inline(m) = c.model, let p = checkModelSpec(m) { return "\(c.id): inline model: \(p)" }
        }
        return nil
    }

    /// Any decoder of the `(bytes, file) -> Result<T, InputError>` shape.
    public static func checkDecoder<T>(_ bytes: [UInt8], file: String, decode: ([UInt8], String) -> Result<T, InputError>,
                                       validate: (T) -> String?) -> FuzzOutcome {
        switch decode(bytes, file) {
        case let .success(value):
            if let problem = validate(value) { return .failed(problem) }
            return .accepted
        case let .failure(error):
            if let problem = checkProblems(error, files: [file]) { return .failed(problem) }
            return .rejected
        }
    }

    /// The catalog is all-or-nothing: it loads exactly when every user file decodes and no id
    /// repeats, and then holds every user chip as decoded; else it throws every file's problems.
    public static func checkCatalog(builtIn: [SpecDocument], user: [SpecDocument], builtInIDs: [String]? = nil) -> FuzzOutcome {
        var decoded: [(SpecDocument, Chip)] = []
        var individualProblems: [InputProblem] = []
        for doc in user {
            switch ChipSpecDecoder.decode(bytes: doc.bytes, file: doc.file) {
            case let .success(chip): decoded.append((doc, chip))
            case let .failure(e): individualProblems += e.problems
            }
        }
        let userIDs = decoded.map(\.1.id)
        let expectSuccess = individualProblems.isEmpty && Set(userIDs).count == userIDs.count
        do {
            let catalog = try ChipCatalog.load(builtIn: builtIn, user: user)
            guard expectSuccess else { return .failed("catalog loaded although a user file has problems (half-loaded)") }
            let builtInIDs = builtInIDs ?? builtIn.compactMap { try? ChipSpecDecoder.decode(bytes: $0.bytes, file: $0.file).get().id }
            let expectedCount = Set(builtInIDs).union(userIDs).count
            guard catalog.chips.count == expectedCount else {
                return .failed("catalog has \(catalog.chips.count) chips, expected \(expectedCount)")
            }
            for (_, chip) in decoded {
                guard let loaded = catalog.chips.first(where: { $0.id == chip.id }), loaded == chip else {
                    return .failed("user chip '\(chip.id)' is not in the catalog as decoded")
                }
            }
            let overrides = userIDs.filter { builtInIDs.contains($0) }.count
            guard catalog.overrides.count == overrides else {
                return .failed("\(catalog.overrides.count) override notes for \(overrides) overrides")
            }
            return .accepted
        } catch {
            guard !expectSuccess else { return .failed("catalog failed on valid files: \(error)") }
            if let p = checkProblems(error, files: user.map(\.file)) { return .failed(p) }
            for p in individualProblems where !error.problems.contains(p) {
                return .failed("catalog dropped a problem: \(p)")
            }
            return .rejected
        }
    }

    /// Every problem is one line that names one of `files`.
    public static func checkProblems(_ error: InputError, files: [String]) -> String? {
        if error.problems.isEmpty { return "an error with no problems" }
        for p in error.problems {
            let line = p.description
            if let bad = multiLine(line) { return "problem is not one line: \(bad)" }
            guard files.contains(where: { line.hasPrefix($0 + ": ") }) else { return "problem does not name the file: \(line)" }
            if p.message.isEmpty { return "problem without a message: \(line)" }
        }
        return nil
    }

    /// A chip from a spec: values finite and ordered, flattened parameters finite at every
    /// corner, and the roofline and collectives give finite, non-negative times on it.
    public static func checkChip(_ chip: Chip) -> String? {
        for (key, v) in chip.allSpecValues {
            guard v.nominal.isFinite, v.nominal > 0 else { return "\(key) nominal \(v.nominal) is not finite and positive" }
            if let l = v.low, let h = v.high, !(l.isFinite && h.isFinite && l <= v.nominal && v.nominal <= h) {
                return "\(key) range \(l)-\(h) does not hold nominal \(v.nominal)"
            }
            if formatQuantity(v.nominal) == "n/a" { return "\(key) formats as n/a" }
        }
        for corner in Corner.allCases {
            let p = ChipParameters(chip: chip, corner: corner)
            let numbers: [Double?] = Array(p.matmulTflops.values) + Array(p.vectorTflops.values) + [
                p.memoryBandwidthGBps, p.memoryCapacityGB, p.sramMB, p.l2CacheMB, p.sramBandwidthGBps,
                p.d2dPerDirectionGBps, p.d2dLatencyNs, p.scaleUpPerDirectionGBps, p.scaleUpLatencyUs,
                p.scaleOutPerDirectionGBps, p.scaleOutLatencyUs, p.tdpW,
            ]
            for case let x? in numbers where !(x.isFinite && x > 0) { return "parameter \(x) at \(corner) is not finite and positive" }
            if p.computeDies < 1 || p.scaleUpDomainSize < 1 { return "dies \(p.computeDies) / domain \(p.scaleUpDomainSize) < 1" }
            if let problem = checkRooflineAndNetwork(p) { return "\(corner): \(problem)" }
        }
        return nil
    }

    /// A few operations and collectives on a chip: times finite (or, for a cross-domain
    /// collective on a chip without scale-out, infinite: it cannot be run) and never NaN.
    public static func checkRooflineAndNetwork(_ p: ChipParameters) -> String? {
        let ops: [RooflineOperation] = [
            .gemm(m: 4096, n: 4096, k: 4096), .gemm(m: 1, n: 8192, k: 8192, batch: 4),
            .attention(batch: 2, heads: 32, kvHeads: 8, queryLength: 2048, keyLength: 2048, headDim: 128, causal: true),
            .elementwise(bytes: 1e9), .embedding(tokens: 4096, hidden: 8192),
            .conv2d(batch: 32, inChannels: 64, outChannels: 64, outHeight: 56, outWidth: 56, kernel: 3, stride: 1),
        ]
        for format in p.formats {
            guard let device = try? RooflineDevice(chip: p, format: format) else { continue }
            for op in ops {
                let r = Roofline.evaluate(op, on: device)
                let values = [r.flops, r.bytes, r.sramBytes, r.d2dBytesPerDirection, r.computeSeconds, r.memorySeconds,
                              r.sramSeconds, r.d2dSeconds, r.seconds, r.utilization, r.attainableFlops]
                if values.contains(where: \.isNaN) { return "roofline of \(op.name) in \(format) gives NaN" }
                if !r.seconds.isFinite || r.seconds < 0 { return "roofline time of \(op.name) in \(format) is \(r.seconds)" }
            }
        }
        let net = ClusterNetwork(chip: p)
        for c in Collective.allCases {
            for n in [2, 8, 1024] {
                let t = net.time(c, bytes: 1e9, groupSize: n)
                if t.isNaN || t < 0 { return "\(c.rawValue) over \(n) chips takes \(t) s" }
                if !t.isFinite, n <= net.scaleUp.domainSize, net.scaleUp.bytesPerSecond > 0 {
                    return "\(c.rawValue) inside the scale-up domain is not finite"
                }
            }
        }
        return nil
    }

    /// A decoded model: counts finite and positive, active <= total, FLOPs monotone in the
    /// sequence length and causal <= full.
    public static func checkModelSpec(_ m: ModelSpec) -> String? {
        let total = m.totalParams, active = m.activeParams
        guard total.isFinite, total > 0 else { return "totalParams \(total)" }
        guard active.isFinite, active > 0 else { return "activeParams \(active)" }
        guard active <= total * (1 + 1e-12) else { return "activeParams \(active) > totalParams \(total)" }
        guard m.kvValuesPerTokenPerLayer.isFinite, m.kvValuesPerTokenPerLayer >= 0 else { return "kv values \(m.kvValuesPerTokenPerLayer)" }
        var previous = -Double.infinity
        for s in [0, 1, 2048, 1 << 20, Int(Int32.max)] {
            let f = m.forwardFlopsPerToken(sequence: s)
            let fc = m.forwardFlopsPerToken(sequence: s, causal: true)
            guard f.isFinite, fc.isFinite else { return "forward FLOPs at sequence \(s) not finite" }
            guard f >= previous else { return "forward FLOPs fall from \(previous) to \(f) at sequence \(s)" }
            guard fc <= f else { return "causal FLOPs \(fc) exceed full \(f)" }
            previous = f
        }
        if m.architecture == .resnet {
            let shape = ResNetShape(blocks: m.resnetBlocks, imageSize: m.imageSize)
            guard shape.flops.isFinite, shape.flops > 0 else { return "ResNet FLOPs \(shape.flops)" }
        }
        return nil
    }

    /// The first line break in `s`, shown escaped, if any.
    public static func multiLine(_ s: String) -> String? {
        s.contains(where: { $0.isNewline }) ? String(s.prefix(300)).debugDescription : nil
    }

    /// True when `s` has a word `nan`, `inf` or `infinity` (any case).
    public static func containsNonFiniteWord(_ s: String) -> Bool {
        var word = ""
        func isBad(_ w: String) -> Bool { ["nan", "inf", "infinity"].contains(w.lowercased()) }
        for ch in s {
            if ch.isLetter { word.append(ch) } else {
                if isBad(word) { return true }
                word = ""
            }
        }
        return isBad(word)
    }
}
