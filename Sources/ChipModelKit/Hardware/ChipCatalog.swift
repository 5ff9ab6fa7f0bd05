/// The chip catalog: the built-in specs embedded in the binary plus any user files.
public struct ChipCatalog: Sendable {
    /// Chips in catalog order (built-in order, then user additions).
    public private(set) var chips: [Chip]
    /// One line per user file that replaced a built-in chip ("... overrides built-in 'a100'").
    public private(set) var overrides: [String]

    public init(chips: [Chip], overrides: [String] = []) {
        self.chips = chips
        self.overrides = overrides
    }

    /// The built-in catalog (`Specs/chips/*.json`, embedded at build time).
    public static func builtIn() throws(InputError) -> ChipCatalog {
        try load(builtIn: EmbeddedSpecs.chips, user: [])
    }

    /// Loads built-in and user documents. All problems in all documents are reported together;
    /// duplicate ids within one group are errors, a user id equal to a built-in one overrides it.
    public static func load(builtIn: [SpecDocument], user: [SpecDocument]) throws(InputError) -> ChipCatalog {
        var problems: [InputProblem] = []
        var builtInChips: [Chip] = []
        var userChips: [(Chip, String)] = []
        for (group, docs) in [(0, builtIn), (1, user)] {
            var seen: [String: String] = [:]
            for doc in docs {
                switch ChipSpecDecoder.decode(bytes: doc.bytes, file: doc.file) {
                case let .success(chip):
                    if let other = seen[chip.id] {
                        problems.append(InputProblem(file: doc.file, keyPath: "id", message: "duplicate id '\(chip.id)' (also in \(other))"))
                        continue
                    }
                    seen[chip.id] = doc.file
                    if group == 0 { builtInChips.append(chip) } else { userChips.append((chip, doc.file)) }
                case let .failure(error):
                    problems.append(contentsOf: error.problems)
                }
            }
        }
        guard problems.isEmpty else { throw InputError(problems) }
        var catalog = ChipCatalog(chips: builtInChips)
        // By id (a dictionary, so a directory of many spec files loads in linear time).
        var position = [String: Int](minimumCapacity: builtInChips.count + userChips.count)
        for (i, c) in builtInChips.enumerated() where position[c.id] == nil { position[c.id] = i }
        for (chip, file) in userChips {
            if let i = position[chip.id] {
                catalog.chips[i] = chip
                catalog.overrides.append("\(file): chip '\(chip.id)' overrides the built-in spec")
            } else {
                position[chip.id] = catalog.chips.count
                catalog.chips.append(chip)
            }
        }
        return catalog
    }

    public var ids: [String] { chips.map(\.id) }

    public func chip(_ id: String) throws(UnknownIDError) -> Chip {
        let key = id.lowercased()
        if let c = chips.first(where: { $0.id == key }) { return c }
        throw UnknownIDError(kind: "chip", id: id, suggestions: nearestNames(to: key, in: ids))
    }

    /// Replaces or adds a chip (for derived what-if chips).
    public mutating func upsert(_ chip: Chip) {
        if let i = chips.firstIndex(where: { $0.id == chip.id }) { chips[i] = chip } else { chips.append(chip) }
    }
}
