/// The system catalog: the built-in system specs (`Specs/systems/*.json`, embedded at build
/// time) plus any user files, each checked against a chip catalog.
public struct SystemCatalog: Sendable {
    /// Systems in catalog order (built-in order, then user additions).
    public private(set) var systems: [SystemSpec]
    /// One line per user file that replaced a built-in system.
    public private(set) var overrides: [String]

    public init(systems: [SystemSpec], overrides: [String] = []) {
        self.systems = systems
        self.overrides = overrides
    }

    /// The built-in systems, checked against the built-in chips.
    public static func builtIn() throws(InputError) -> SystemCatalog {
        try load(builtIn: EmbeddedSpecs.systems, user: [], chips: ChipCatalog.builtIn())
    }

    /// Loads built-in and user system documents. Every problem of every document is reported
    /// together; duplicate ids within one group are errors; a user id equal to a built-in one
    /// overrides it; a system naming a chip that `chips` lacks is an error.
    public static func load(builtIn: [SpecDocument], user: [SpecDocument], chips: ChipCatalog) throws(InputError) -> SystemCatalog {
        var problems: [InputProblem] = []
        var groups: [[(SystemSpec, String)]] = [[], []]
        let chipIDs = chips.ids
        for (group, docs) in [builtIn, user].enumerated() {
            var seen: [String: String] = [:]
            for doc in docs {
                switch SystemSpecDecoder.decode(bytes: doc.bytes, file: doc.file, chipIDs: chipIDs) {
                case let .success(system):
                    if let other = seen[system.id] {
                        problems.append(InputProblem(file: doc.file, keyPath: "id", message: "duplicate id '\(system.id)' (also in \(other))"))
                        continue
                    }
                    seen[system.id] = doc.file
                    groups[group].append((system, doc.file))
                case let .failure(error):
                    problems.append(contentsOf: error.problems)
                }
            }
        }
        guard problems.isEmpty else { throw InputError(problems) }
        var catalog = SystemCatalog(systems: groups[0].map(\.0))
        for (system, file) in groups[1] {
            if let i = catalog.systems.firstIndex(where: { $0.id == system.id }) {
                catalog.systems[i] = system
                catalog.overrides.append("\(file): system '\(system.id)' overrides the built-in spec")
            } else {
                catalog.systems.append(system)
            }
        }
        return catalog
    }

    public var ids: [String] { systems.map(\.id) }

    public func system(_ id: String) throws(UnknownIDError) -> SystemSpec {
        let key = id.lowercased()
        if let s = systems.first(where: { $0.id == key }) { return s }
        throw UnknownIDError(kind: "system", id: id, suggestions: nearestNames(to: key, in: ids))
    }
}
