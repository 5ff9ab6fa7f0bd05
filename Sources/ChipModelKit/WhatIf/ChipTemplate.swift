/// A chip's spec document kept as JSON, so hypothetical variants can be derived from it by
/// editing spec values and decoding again: every derived chip passes the same validation as a
/// spec file (`ChipSpecDecoder`), and nothing in the typed `Chip` needs a setter.
///
/// ```swift
/// let template = try ChipTemplate.find("br166", in: EmbeddedSpecs.chips)
/// let chip = try template.derive([("fp8DenseTflops", 2000), ("d2d.bandwidthGBps", 1792)], name: "my-br20x")
/// ```
public struct ChipTemplate: Sendable {
    /// The spec document as parsed.
    public var document: JSONValue
    /// Where it came from, for messages.
    public var file: String
    /// The chip the unedited document decodes to.
    public var chip: Chip

    /// The source key added to a derived document for every value set by a what-if.
    public static let whatIfSourceKey = "what-if"

    public init(document: JSONValue, file: String) throws(InputError) {
        switch ChipSpecDecoder.decode(document, file: file) {
        case let .success(c): chip = c
        case let .failure(e): throw e
        }
        self.document = document
        self.file = file
    }

    /// Finds the document with chip id `id` among spec documents; later documents override
    /// earlier ones (user `--specs` after the built-ins), as in `ChipCatalog.load`.
    public static func find(_ id: String, in documents: [SpecDocument]) throws -> ChipTemplate {
        let key = id.lowercased()
        var found: (JSONValue, String)?
        var ids: [String] = []
        for doc in documents {
            guard let json = try? JSONValue.parse(doc.bytes), let docID = json["id"]?.stringValue else { continue }
            ids.append(docID)
            if docID == key { found = (json, doc.file) }
        }
        guard let (json, file) = found else {
            throw UnknownIDError(kind: "chip", id: id, suggestions: nearestNames(to: key, in: ids))
        }
        return try ChipTemplate(document: json, file: file)
    }

    /// Every numeric spec key a chip spec may hold, in spec-file order (`bf16DenseTflops`,
    /// `memory.bandwidthGBps`, `scaleUp.domainSize`, ...): the names `--set` and `--vary`
    /// accept even where this chip lacks the value (it is then added).
    public static var schemaKeys: [String] {
        ["year", "dies.computeDies", "dies.ioDies", "dies.computeDieAreaMm2", "dies.transistorsBillion", "dies.devicesPerPackage"]
            + ChipSpecDecoder.peakKeys
            + ["onChip.sramMB", "onChip.l2CacheMB", "onChip.bandwidthGBps",
               "memory.stacks", "memory.capacityGB", "memory.bandwidthGBps",
               "d2d.bandwidthGBps", "d2d.latencyNs",
               "scaleUp.links", "scaleUp.bandwidthGBps", "scaleUp.domainSize", "scaleUp.maxDomainSize", "scaleUp.latencyUs",
               "scaleOut.nicBandwidthGBps", "scaleOut.latencyUs", "tdpW"]
    }

    /// The settable names for this chip: the spec values its document holds (key paths to
    /// objects with a numeric `value`), then every other schema key.
    public var settableKeys: [String] {
        var keys: [String] = []
        func walk(_ v: JSONValue, _ path: [String]) {
            guard let members = v.objectMembers else { return }
            if path.count > 0, members.contains(where: { $0.0 == "value" && $0.1.numberValue != nil }) {
                keys.append(path.joined(separator: "."))
                return
            }
            for (k, child) in members where k != "sources" { walk(child, path + [k]) }
        }
        walk(document, [])
        for k in Self.schemaKeys where !keys.contains(k) { keys.append(k) }
        return keys
    }

    /// Throws a `WhatIfKeyError` unless `key` is settable.
    public func checkKey(_ key: String) throws(WhatIfKeyError) {
        let valid = settableKeys
        guard valid.contains(key) else {
            throw WhatIfKeyError(key: key, valid: valid, suggestions: nearestNames(to: key, in: valid))
        }
    }

    /// A derived chip: each `(key, value)` replaces (or adds) that spec value with source
    /// "what-if --set" and confidence `estimated` with `low = high = value` (a set value is
    /// exact by construction, so it has no range). `name` renames the chip (its id is the
    /// name lower-cased with other characters mapped to '-'). The result is decoded with
    /// `ChipSpecDecoder`, so a set that makes the spec invalid (a sparse peak below the dense
    /// one, a fractional die count) is an `InputError` naming the key.
    public func derive(_ sets: [(String, Double)], name: String? = nil) throws -> Chip {
        try derivedDocument(sets, name: name).chip
    }

    /// The edited document and its decoded chip.
    public func derivedDocument(_ sets: [(String, Double)], name: String? = nil) throws -> (document: JSONValue, chip: Chip) {
        if sets.isEmpty && name == nil { return (document, chip) }
        var doc = document
        let file = "\(self.file) (what-if)"
        if !sets.isEmpty {
            guard let d = doc.setting(.object([("title", .string("chipmodel what-if --set: hypothetical value"))]),
                                      at: ["sources", Self.whatIfSourceKey]) else {
                throw InputError([InputProblem(file: file, keyPath: "sources", message: "is not an object")])
            }
            doc = d
        }
        for (key, value) in sets {
            try checkKey(key)
            guard value.isFinite, value > 0 else {
                throw InputError([InputProblem(file: file, keyPath: key, message: "what-if value must be a positive number, got \(value)")])
            }
            let path = key.split(separator: ".").map(String.init)
            var note = "what-if --set \(key)=\(formatQuantity(value))"
            if let old = lookup(doc, path)?["value"]?.numberValue { note += " (was \(formatQuantity(old)))" }
            let spec = JSONValue.object([
                ("value", .number(value)), ("low", .number(value)), ("high", .number(value)),
                ("source", .string(Self.whatIfSourceKey)), ("confidence", .string(Confidence.estimated.rawValue)),
                ("note", .string(note)),
            ])
            guard let d = doc.setting(spec, at: path) else {
                throw InputError([InputProblem(file: file, keyPath: key, message: "cannot be set: a parent is not an object")])
            }
            doc = d
            // A link object created from nothing needs its direction convention; the what-if
            // value is taken as stated bidirectionally (the convention of the catalog's D2D
            // figures) and the note says so.
            if path.count == 2, ["d2d", "scaleUp", "scaleOut"].contains(path[0]), lookup(doc, [path[0], "direction"]) == nil {
                doc = doc.setting(.string(LinkDirection.bidirectional.rawValue), at: [path[0], "direction"]) ?? doc
            }
            if path == ["scaleUp", "bandwidthGBps"] || path == ["scaleUp", "domainSize"] {
                if lookup(doc, ["scaleUp", "name"]) == nil { doc = doc.setting(.string("what-if scale-up"), at: ["scaleUp", "name"]) ?? doc }
            }
        }
        if let name {
            let id = Self.id(forName: name)
            guard ChipSpecDecoder.isValidID(id) else {
                throw InputError([InputProblem(file: file, keyPath: "id", message: "name '\(name)' gives no valid chip id")])
            }
            doc = doc.setting(.string(id), at: ["id"]) ?? doc
            doc = doc.setting(.string(name), at: ["name"]) ?? doc
        }
        switch ChipSpecDecoder.decode(doc, file: file) {
        case let .success(c): return (doc, c)
        case let .failure(e): throw e
        }
    }

    /// `My BR20X` -> `my-br20x`.
    public static func id(forName name: String) -> String {
        var out = ""
        for s in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(s) || ("0"..."9").contains(s) || s == "." { out.unicodeScalars.append(s) }
            else if !out.hasSuffix("-") { out += "-" }
        }
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    private func lookup(_ v: JSONValue, _ path: [String]) -> JSONValue? {
        var cur = v
        for p in path {
            guard let next = cur[p] else { return nil }
            cur = next
        }
        return cur
    }
}

/// An unknown `--set`/`--vary` spec key, with the valid ones.
public struct WhatIfKeyError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var valid: [String]
    public var suggestions: [String]
    /// What else was accepted besides spec keys (`parameters of the roofline metric: batch, seq`).
    public var alsoAccepted: String?
    public init(key: String, valid: [String], suggestions: [String], alsoAccepted: String? = nil) {
        self.key = key
        self.valid = valid
        self.suggestions = suggestions
        self.alsoAccepted = alsoAccepted
    }
    public var description: String {
        var s = alsoAccepted.map { "unknown parameter '\(key)': not a spec key nor \($0)" } ?? "unknown spec key '\(key)'"
        if let near = suggestions.first { s += " (did you mean '\(near)'?)" }
        return s + "; valid keys: " + valid.joined(separator: ", ")
    }
}
