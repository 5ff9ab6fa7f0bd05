/// A calibration family's power fractions of TDP by phase (`Specs/economics/power-profiles.json`).
public struct PowerProfile: Sendable, Equatable {
    /// The family key, or `default`.
    public var family: String
    /// Power while compute-bound (dense GEMM, prefill), fraction of TDP.
    public var computeBoundFraction: SpecValue
    /// Power while bound by memory bandwidth (decode, optimizer, elementwise), fraction of TDP.
    public var memoryBoundFraction: SpecValue
    /// Hot-idle power during bubbles, exposed communication and host waits, fraction of TDP.
    public var idleFraction: SpecValue
}

/// Per-accelerator overheads outside the chip and the facility factor, with their sources.
public struct PowerOverheads: Sendable, Equatable {
    /// Host power per accelerator (CPUs, memory, NICs, on-board switches, fans, PSU loss), W.
    public var hostWattsPerChip: SpecValue
    /// Scale-out fabric (switches, optics) per accelerator, W.
    public var networkWattsPerChip: SpecValue
    /// Power usage effectiveness: facility power / IT power.
    public var pue: SpecValue
}

/// The power table: one profile per family with a default for families without one.
public struct PowerProfileSet: Sendable, Equatable {
    public var defaultProfile: PowerProfile
    public var families: [String: PowerProfile]
    public var overheads: PowerOverheads

    /// The family's profile, or the default one when the family has none.
    public func profile(forFamily family: String) -> PowerProfile {
        families[family] ?? defaultProfile
    }

    /// The built-in table (`Specs/economics/power-profiles.json`, embedded).
    public static func builtIn() throws(InputError) -> PowerProfileSet {
        let file = "Specs/economics/power-profiles.json"
        guard let doc = EmbeddedSpecs.economics.first(where: { $0.file == file }) else {
            throw InputError([InputProblem(file: file, keyPath: "", message: "missing from the embedded specs (run Scripts/embed-specs)")])
        }
        return try PowerProfileDecoder.decode(bytes: doc.bytes, file: doc.file).get()
    }
}

/// Decodes `Specs/economics/power-profiles.json`; every problem is reported with its key path.
///
/// Format: `sources` (as in chip specs), `overheads` {`hostWattsPerChip`, `networkWattsPerChip`,
/// `pue`}, `default` and `families.<family>` profiles {`computeBoundFraction`,
/// `memoryBoundFraction`, `idleFraction`}; every number a spec value (`Specs/README.md`).
public enum PowerProfileDecoder {
    public static func decode(bytes: [UInt8], file: String) -> Result<PowerProfileSet, InputError> {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "invalid JSON: \(error)")]))
        }
        let log = ProblemLog(file: file)
        let set = decode(json, log: log)
        if let set, log.problems.isEmpty { return .success(set) }
        if log.problems.isEmpty { log.add("", "could not be read as a power-profile table") }
        return .failure(InputError(log.problems))
    }

    static func decode(_ json: JSONValue, log: ProblemLog) -> PowerProfileSet? {
        guard let root = ObjectReader(json, path: "", log: log) else { return nil }
        let sources = ChipSpecDecoder.readSources(root, log: log)
        let values = ValueReader(sources: sources, log: log, status: nil)
        var overheads: PowerOverheads?
        if let o = root.object("overheads", required: true) {
            let host = values.read(o, "hostWattsPerChip", required: true)
            let network = values.read(o, "networkWattsPerChip", required: true)
            let pue = values.read(o, "pue", required: true)
            o.finish()
            if let pue, (pue.low ?? pue.nominal) < 1 {
                log.add("overheads.pue", "PUE is facility / IT power and cannot be below 1")
            }
            if let host, let network, let pue { overheads = PowerOverheads(hostWattsPerChip: host, networkWattsPerChip: network, pue: pue) }
        }
        let defaultProfile = root.object("default", required: true).flatMap { readProfile($0, family: "default", values: values, log: log) }
        var families: [String: PowerProfile] = [:]
        if let table = root.object("families") {
            for key in table.keys {
                if !ChipSpecDecoder.isValidID(key) {
                    log.add(table.keyPath(key), "family '\(key)' must be lower-case letters, digits, '.' and '-'")
                }
                guard let o = table.object(key) else { continue }
                if let p = readProfile(o, family: key, values: values, log: log) { families[key] = p }
            }
        }
        root.finish()
        guard let overheads, let defaultProfile else { return nil }
        return PowerProfileSet(defaultProfile: defaultProfile, families: families, overheads: overheads)
    }

    private static func readProfile(_ o: ObjectReader, family: String, values: ValueReader, log: ProblemLog) -> PowerProfile? {
        let compute = values.read(o, "computeBoundFraction", required: true)
        let memory = values.read(o, "memoryBoundFraction", required: true)
        let idle = values.read(o, "idleFraction", required: true)
        o.finish()
        for (key, v) in [("computeBoundFraction", compute), ("memoryBoundFraction", memory), ("idleFraction", idle)] {
            if let v, (v.high ?? v.nominal) > 1 {
                log.add(o.keyPath(key), "a sustained power fraction of TDP cannot exceed 1, found \(formatQuantity(v.high ?? v.nominal))")
            }
        }
        if let compute, let memory, memory.nominal > compute.nominal {
            log.add(o.keyPath("memoryBoundFraction"), "is above computeBoundFraction (memory-bound phases draw less than compute-bound ones)")
        }
        if let memory, let idle, idle.nominal > memory.nominal {
            log.add(o.keyPath("idleFraction"), "is above memoryBoundFraction (idle draws less than memory-bound work)")
        }
        guard let compute, let memory, let idle else { return nil }
        return PowerProfile(family: family, computeBoundFraction: compute, memoryBoundFraction: memory, idleFraction: idle)
    }
}
