/// Decodes and validates a failure-rate file (`Specs/reliability/failure-rates.json`).
///
/// Format: a `sources` table as in chip specs; `defaults` (spec values `restartMinutes`,
/// `checkpointWriteGBpsPerNode`, `snapshotGBpsPerChip`, `inMemoryCopyGBpsPerNode`,
/// `repairHours`); `default` (the id of the fallback fleet); `fleets`, an array of
/// `{ "id", "name", "families": [...], "failuresPerMillionHours": { <component>: spec value },
/// "notes": [...] }` with all six components (`acceleratorPerChip`, `hbmPerStack`,
/// `hostPerNode`, `nicPerNic`, `fabricPerChip`, `softwarePerChip`); optional `claims`, an
/// array of `{ "id", "vendor", "families", "summary", "chips", "parametersBillion",
/// "scalingEfficiency", "unbrokenDays", "restartMinutes" }` (numbers as spec values; `chips`
/// required, a whole number). Spec values use the chip
/// format (`value`, `low`, `high`, `source`, `confidence`, `note`; Specs/README.md) and are
/// read by the same `ValueReader`; every problem is reported with its key path, and nothing
/// is returned half-loaded.
public enum FailureRateDecoder {
    public static let defaultKeys = ["restartMinutes", "checkpointWriteGBpsPerNode", "snapshotGBpsPerChip",
                                     "inMemoryCopyGBpsPerNode", "repairHours"]

    public static func decode(bytes: [UInt8], file: String) -> Result<FailureRateTable, InputError> {
        do {
            let json = try JSONValue.parse(bytes)
            return decode(json, file: file)
        } catch {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "invalid JSON: \(error)")]))
        }
    }

    public static func decode(_ json: JSONValue, file: String) -> Result<FailureRateTable, InputError> {
        let log = ProblemLog(file: file)
        let table = decode(json, file: file, log: log)
        if let table, log.problems.isEmpty { return .success(table) }
        if log.problems.isEmpty { log.add("", "could not be read as a failure-rate file") }
        return .failure(InputError(log.problems))
    }

    static func decode(_ json: JSONValue, file: String, log: ProblemLog) -> FailureRateTable? {
        guard let root = ObjectReader(json, path: "", log: log) else { return nil }
        let sources = ChipSpecDecoder.readSources(root, log: log)
        let values = ValueReader(sources: sources, log: log, status: nil)

        var defaults: [String: SpecValue] = [:]
        if let d = root.object("defaults", required: true) {
            for key in defaultKeys {
                if let v = values.read(d, key, required: true) { defaults[key] = v }
            }
            d.finish()
        }
        let defaultID = root.string("default", required: true)

        var fleets: [FailureRateFleet] = []
        var familyOwner: [String: String] = [:]
        if let items = root.array("fleets", required: true) {
            if items.isEmpty { log.add("fleets", "must list at least one fleet") }
            for (i, item) in items.enumerated() {
                let path = "fleets[\(i)]"
                guard let f = ObjectReader(item, path: path, log: log) else { continue }
                let id = f.string("id", required: true)
                if let id, !ChipSpecDecoder.isValidID(id) {
                    log.add(f.keyPath("id"), "'\(id)' must be lower-case letters, digits, '.' and '-'")
                }
                if let id, fleets.contains(where: { $0.id == id }) { log.add(f.keyPath("id"), "duplicate fleet id '\(id)'") }
                let name = f.string("name", required: true)
                let families = f.stringArray("families", required: true)
                let notes = f.stringArray("notes") ?? []
                var rates: [FailureComponent: SpecValue] = [:]
                if let r = f.object("failuresPerMillionHours", required: true) {
                    for c in FailureComponent.allCases {
                        if let v = values.read(r, c.specKey, required: true) { rates[c] = v }
                    }
                    r.finish()
                }
                f.finish()
                for family in families ?? [] {
                    if let other = familyOwner[family] {
                        log.add(f.keyPath("families"), "family '\(family)' is already listed by fleet '\(other)'")
                    } else if let id {
                        familyOwner[family] = id
                    }
                }
                if let id, let name, let families, rates.count == FailureComponent.allCases.count {
                    fleets.append(FailureRateFleet(id: id, name: name, families: families, rates: rates, notes: notes))
                }
            }
        }
        let claims = readClaims(root, values: values, log: log)
        root.finish()

        if let defaultID, !fleets.isEmpty, !fleets.contains(where: { $0.id == defaultID }) {
            var msg = "fleet '\(defaultID)' is not listed under 'fleets'"
            if let near = nearestNames(to: defaultID, in: fleets.map(\.id), limit: 1).first { msg += " (did you mean '\(near)'?)" }
            log.add("default", msg)
        }
        guard let defaultID, !fleets.isEmpty,
              let restart = defaults["restartMinutes"], let write = defaults["checkpointWriteGBpsPerNode"],
              let snapshot = defaults["snapshotGBpsPerChip"], let copy = defaults["inMemoryCopyGBpsPerNode"],
              let repair = defaults["repairHours"] else { return nil }
        let goodputDefaults = GoodputDefaults(restartMinutes: restart, checkpointWriteGBpsPerNode: write,
                                              snapshotGBpsPerChip: snapshot, inMemoryCopyGBpsPerNode: copy, repairHours: repair)
        return FailureRateTable(fleets: fleets, defaultFleetID: defaultID, defaults: goodputDefaults, claims: claims, file: file)
    }

    static func readClaims(_ root: ObjectReader, values: ValueReader, log: ProblemLog) -> [ClusterClaim] {
        var claims: [ClusterClaim] = []
        for (i, item) in (root.array("claims") ?? []).enumerated() {
            guard let c = ObjectReader(item, path: "claims[\(i)]", log: log) else { continue }
            let id = c.string("id", required: true)
            if let id, claims.contains(where: { $0.id == id }) { log.add(c.keyPath("id"), "duplicate claim id '\(id)'") }
            let vendor = c.string("vendor", required: true)
            let families = c.stringArray("families", required: true)
            let summary = c.string("summary", required: true)
            let chips = values.read(c, "chips", required: true)
            if let chips, chips.nominal != chips.nominal.rounded() { log.add(c.keyPath("chips.value"), "must be a whole number") }
            let parameters = values.read(c, "parametersBillion")
            let scaling = values.read(c, "scalingEfficiency")
            if let scaling, scaling.nominal > 1 { log.add(c.keyPath("scalingEfficiency.value"), "is a fraction: must not exceed 1") }
            let days = values.read(c, "unbrokenDays")
            let restart = values.read(c, "restartMinutes")
            c.finish()
            if let id, let vendor, let families, let summary, let chips {
                claims.append(ClusterClaim(id: id, vendor: vendor, families: families, summary: summary, chips: chips,
                                           parametersBillion: parameters, scalingEfficiency: scaling, unbrokenDays: days,
                                           restartMinutes: restart))
            }
        }
        return claims
    }
}
