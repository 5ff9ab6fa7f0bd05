/// What one chip costs: a purchase price (the accelerator alone) and/or a cloud price per
/// chip-hour, as spec values with sources (`Specs/economics/prices.json`). Most are press or
/// analyst figures or chipmodel estimates with wide ranges; vendors publish almost none.
public struct ChipPrice: Sendable, Equatable {
    public var chipID: String
    public var priceUSD: SpecValue?
    public var cloudUSDPerHour: SpecValue?
}

/// Cost assumptions that are not per chip, each a sourced spec value.
public struct EconomicDefaults: Sendable, Equatable {
    /// Server and fabric capex per accelerator beyond the accelerator itself, USD.
    public var systemUSDPerChip: SpecValue
    /// Straight-line life of the hardware, years.
    public var amortizationYears: SpecValue
    /// Colocation rent per kW of provisioned IT power per month, USD (energy billed apart).
    public var hostingUSDPerKWMonth: SpecValue
    public var powerPriceUSDPerKWh: SpecValue
    /// Location-based grid carbon intensity, g CO2e per kWh.
    public var gridGCO2PerKWh: SpecValue
}

public struct PriceBook: Sendable, Equatable {
    public var defaults: EconomicDefaults
    public var prices: [String: ChipPrice]

    public func price(for chipID: String) -> ChipPrice? { prices[chipID] }

    /// The built-in table (`Specs/economics/prices.json`, embedded); chip ids are checked
    /// against `knownChipIDs` (the catalog's).
    public static func builtIn(knownChipIDs: [String]) throws(InputError) -> PriceBook {
        let file = "Specs/economics/prices.json"
        guard let doc = EmbeddedSpecs.economics.first(where: { $0.file == file }) else {
            throw InputError([InputProblem(file: file, keyPath: "", message: "missing from the embedded specs (run Scripts/embed-specs)")])
        }
        return try PriceBookDecoder.decode(bytes: doc.bytes, file: doc.file, knownChipIDs: knownChipIDs).get()
    }
}

/// Decodes `Specs/economics/prices.json`; every problem is reported with its key path, and a
/// price for a chip id the catalog does not have is an error.
///
/// Format: `sources` (as in chip specs); `defaults` {`systemUSDPerChip`, `amortizationYears`,
/// `hostingUSDPerKWMonth`, `powerPriceUSDPerKWh`, `gridGCO2PerKWh`}; `chips.<chip id>`
/// {`priceUSD`, `cloudUSDPerHour`} with at least one of the two. Every number is a spec value.
public enum PriceBookDecoder {
    public static func decode(bytes: [UInt8], file: String, knownChipIDs: [String]) -> Result<PriceBook, InputError> {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            return .failure(InputError([InputProblem(file: file, keyPath: "", message: "invalid JSON: \(error)")]))
        }
        let log = ProblemLog(file: file)
        let book = decode(json, log: log, knownChipIDs: knownChipIDs)
        if let book, log.problems.isEmpty { return .success(book) }
        if log.problems.isEmpty { log.add("", "could not be read as a price table") }
        return .failure(InputError(log.problems))
    }

    static func decode(_ json: JSONValue, log: ProblemLog, knownChipIDs: [String]) -> PriceBook? {
        guard let root = ObjectReader(json, path: "", log: log) else { return nil }
        let sources = ChipSpecDecoder.readSources(root, log: log)
        let values = ValueReader(sources: sources, log: log, status: nil)
        var defaults: EconomicDefaults?
        if let d = root.object("defaults", required: true) {
            let system = values.read(d, "systemUSDPerChip", required: true)
            let years = values.read(d, "amortizationYears", required: true)
            let hosting = values.read(d, "hostingUSDPerKWMonth", required: true)
            let power = values.read(d, "powerPriceUSDPerKWh", required: true)
            let grid = values.read(d, "gridGCO2PerKWh", required: true)
            d.finish()
            if let years, (years.low ?? years.nominal) < 0.5 || (years.high ?? years.nominal) > 30 {
                log.add("defaults.amortizationYears", "must lie in 0.5...30 years")
            }
            if let system, let years, let hosting, let power, let grid {
                defaults = EconomicDefaults(systemUSDPerChip: system, amortizationYears: years, hostingUSDPerKWMonth: hosting,
                                            powerPriceUSDPerKWh: power, gridGCO2PerKWh: grid)
            }
        }
        var prices: [String: ChipPrice] = [:]
        if let table = root.object("chips", required: true) {
            let known = Set(knownChipIDs)
            for id in table.keys {
                guard let o = table.object(id) else { continue }
                let price = values.read(o, "priceUSD")
                let cloud = values.read(o, "cloudUSDPerHour")
                o.finish()
                guard known.contains(id) else {
                    var message = "unknown chip id '\(id)'"
                    let near = nearestNames(to: id, in: knownChipIDs)
                    if !near.isEmpty { message += " (did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?)" }
                    log.add(table.keyPath(id), message)
                    continue
                }
                if price == nil && cloud == nil && !o.has("priceUSD") && !o.has("cloudUSDPerHour") {
                    log.add(table.keyPath(id), "give 'priceUSD', 'cloudUSDPerHour' or both")
                }
                prices[id] = ChipPrice(chipID: id, priceUSD: price, cloudUSDPerHour: cloud)
            }
        }
        root.finish()
        guard let defaults else { return nil }
        return PriceBook(defaults: defaults, prices: prices)
    }
}
