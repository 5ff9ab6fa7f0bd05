/// Decodes a model shape: a model spec file in `Specs/models/`, a user `--model FILE`, or the
/// inline `model` object of a measurement case (Benchmarks/CASES.md). Every problem is reported with its
/// key path.
public enum ModelDecoder {
    public static func decode(bytes: [UInt8], file: String) -> Result<ModelSpec, InputError> {
        do {
            let json = try JSONValue.parse(bytes)
            let log = ProblemLog(file: file)
            let model = decode(json, path: "", log: log, requireID: true)
            if let model, log.problems.isEmpty { return .success(model) }
            if log.problems.isEmpty { log.add("", "could not be read as a model spec") }
            return .failure(InputError(log.problems))
        } catch {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "invalid JSON: \(error)")]))
        }
    }

    /// Reads a model object at `path`. `requireID` is for spec files (inline case models
    /// have only a name).
    public static func decode(_ json: JSONValue, path: String, log: ProblemLog, requireID: Bool) -> ModelSpec? {
        guard let o = ObjectReader(json, path: path, log: log) else { return nil }
        let before = log.problems.count
        let id = requireID ? o.string("id", required: true) : o.string("id")
        let name = o.string("name", required: true)
        let arch = o.choice("architecture", from: Architecture.allCases.map(\.rawValue), required: true)
            .flatMap(Architecture.init(rawValue:))
        let source = requireID ? o.string("source", required: true) : o.string("source")
        o.accept("note", "notes", "params", "paramsBillion", "activeParamsBillion")
        if arch == .resnet {
            let blocks = o.array("resnetBlocks", required: true) ?? []
            var counts: [Int] = []
            for (i, b) in blocks.enumerated() {
                if let n = b.numberValue, n == n.rounded(), n >= 1, n <= 64 { counts.append(Int(n)) }
                else { log.add("\(o.keyPath("resnetBlocks"))[\(i)]", "expected a whole number of blocks in 1...64") }
            }
            if blocks.count != 4 { log.add(o.keyPath("resnetBlocks"), "a ResNet has 4 stages") }
            let image = o.integer("imageSize", range: 32...4096) ?? 224
            o.finish()
            guard log.problems.count == before, let name, let arch else { return nil }
            return ModelSpec(id: id ?? slug(name), name: name, architecture: arch, layers: counts.reduce(0, +) * 3 + 2,
                             hidden: 2048, heads: 1, ffnHidden: 0, vocab: 1000, resnetBlocks: counts, imageSize: image, source: source)
        }
        let big = 1...(1 << 24)
        let layers = o.integer("layers", required: true, range: 1...10_000)
        let hidden = o.integer("hidden", required: true, range: big)
        let heads = o.integer("heads", required: true, range: 1...65_536)
        let kvHeads = o.integer("kvHeads", range: 1...65_536)
        let ffn = o.integer("ffnHidden", required: true, range: big)
        let vocab = o.integer("vocab", required: true, range: big)
        let gated = o.bool("gatedMlp")
        let experts = o.integer("experts", range: 0...65_536) ?? 0
        let perToken = o.integer("expertsPerToken", range: 0...65_536) ?? 0
        let expertFfn = o.integer("expertFfnHidden", range: 0...(1 << 24)) ?? 0
        let shared = o.integer("sharedExperts", range: 0...1024) ?? 0
        let dense = o.integer("denseLayers", range: 0...10_000) ?? 0
        let headDim = o.integer("headDim", range: 1...65_536)
        let attention = o.choice("attention", from: AttentionKind.allCases.map(\.rawValue)).flatMap(AttentionKind.init(rawValue:))
        let kvLora = o.integer("kvLoraRank", range: 0...(1 << 20)) ?? 0
        let qLora = o.integer("qLoraRank", range: 0...(1 << 20)) ?? 0
        let rope = o.integer("ropeHeadDim", range: 0...65_536) ?? 0
        let tied = o.bool("tiedEmbeddings") ?? false
        let groups = o.integer("expertGroups", range: 0...65_536) ?? 0
        let groupsPerToken = o.integer("expertGroupsPerToken", range: 0...65_536) ?? 0
        o.finish()
        if groups > 0 && (groupsPerToken < 1 || groupsPerToken > groups) {
            log.add(o.keyPath("expertGroupsPerToken"), "must be in 1...expertGroups (\(groups))")
        }
        if groups > 0 && experts > 1 && experts % groups != 0 { log.add(o.keyPath("expertGroups"), "does not divide experts (\(experts))") }
        if let heads, let kvHeads, kvHeads > heads { log.add(o.keyPath("kvHeads"), "kvHeads \(kvHeads) exceeds heads \(heads)") }
        if let heads, let kvHeads, heads % kvHeads != 0 { log.add(o.keyPath("kvHeads"), "heads \(heads) is not a multiple of kvHeads \(kvHeads)") }
        if let hidden, let heads, headDim == nil, hidden % heads != 0 { log.add(o.keyPath("heads"), "hidden \(hidden) is not a multiple of heads \(heads); give headDim") }
        if experts > 1 {
            if perToken < 1 || perToken > experts { log.add(o.keyPath("expertsPerToken"), "must be in 1...experts (\(experts))") }
            if expertFfn < 1 { log.add(o.keyPath("expertFfnHidden"), "required for a model with experts") }
        }
        if let layers, dense > layers { log.add(o.keyPath("denseLayers"), "exceeds layers (\(layers))") }
        if attention == .mla && kvLora < 1 { log.add(o.keyPath("kvLoraRank"), "required for MLA attention") }
        guard log.problems.count == before, let name, let arch, let layers, let hidden, let heads, let ffn, let vocab else { return nil }
        var spec = ModelSpec(id: id ?? slug(name), name: name, architecture: arch, layers: layers, hidden: hidden, heads: heads,
                             kvHeads: kvHeads, ffnHidden: ffn, vocab: vocab, gatedMlp: gated, experts: experts,
                             expertsPerToken: perToken, expertFfnHidden: expertFfn, sharedExperts: shared, denseLayers: dense,
                             headDim: headDim, attention: attention, kvLoraRank: kvLora, qLoraRank: qLora, ropeHeadDim: rope,
                             tiedEmbeddings: tied, source: source)
        spec.expertGroups = groups
        spec.expertGroupsPerToken = groupsPerToken
        return spec
    }

    static func slug(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" })
    }
}

/// The built-in model zoo (`Specs/models/*.json`, embedded at build time).
public struct ModelZoo: Sendable {
    public private(set) var models: [ModelSpec]

    public init(models: [ModelSpec]) { self.models = models }

    public static func builtIn() throws(InputError) -> ModelZoo {
        var problems: [InputProblem] = []
        var models: [ModelSpec] = []
        for doc in EmbeddedSpecs.models {
            switch ModelDecoder.decode(bytes: doc.bytes, file: doc.file) {
            case let .success(m):
                if models.contains(where: { $0.id == m.id }) {
                    problems.append(InputProblem(file: doc.file, keyPath: "id", message: "duplicate id '\(m.id)'"))
                } else {
                    models.append(m)
                }
            case let .failure(e): problems += e.problems
            }
        }
        if !problems.isEmpty { throw InputError(problems) }
        return ModelZoo(models: models)
    }

    public var ids: [String] { models.map(\.id) }

    public func model(_ id: String) throws(UnknownIDError) -> ModelSpec {
        let key = id.lowercased()
        if let m = models.first(where: { $0.id == key }) { return m }
        throw UnknownIDError(kind: "model", id: id, suggestions: nearestNames(to: key, in: ids))
    }
}
