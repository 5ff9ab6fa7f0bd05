/// Power, energy and cost of a mixed-vendor run: one line under the mixed table (the cluster
/// and each group's share) and the `power` / `cost` members of its JSON estimate.
public enum MixedPowerCostReport {
    static func text(_ r: RangedValue, _ f: (Double) -> String = { formatQuantity($0) }) -> String { PowerCostReport.text(r, f) }

    public static func line(_ outcome: Result<MixedEnergyEstimate, PowerInputError>, tokenBudget: Double) -> String {
        switch outcome {
        case let .failure(e): return "power: \(e.message)"
        case let .success(e):
            var s = "power: \(text(e.clusterFacilityKW)) kW facility; \(text(e.energyMWh)) MWh, \(text(e.tCO2e)) tCO2e for "
                + "\(formatQuantity(tokenBudget / 1e12)) T tokens"
            if let usd = e.usdTotal { s += "; \(text(usd) { "$" + formatQuantity($0) }) total" } else { s += "; no price known for every group" }
            let parts = e.groups.compactMap { g -> String? in
                guard case let .success(x) = g.estimate else { return nil }
                return "\(g.chipID) \(text(x.power.clusterFacilityKW)) kW (\(formatQuantity(g.activity.computeBound * 100, decimals: 0))% compute-bound)"
            }
            return s + "\n  by group: " + parts.joined(separator: ", ")
                + "\n  (each group: its chip's TDP, family power profile and price over the shared wall time; group ranges added end to end)"
        }
    }

    public static func json(_ outcome: Result<MixedEnergyEstimate, PowerInputError>) -> [(String, JSONValue)] {
        switch outcome {
        case let .failure(e): return [("power", .object([("error", .string(e.message))])), ("cost", .null)]
        case let .success(e):
            var power = PowerCostReport.sides([("clusterKW", e.clusterFacilityKW), ("clusterITKW", e.clusterITKW),
                                               ("energyMWh", e.energyMWh), ("chipEnergyMWh", e.chipEnergyMWh), ("tCO2e", e.tCO2e)])
            power.append(("groups", .array(e.groups.map { g in
                var m: [(String, JSONValue)] = [("chip", .string(g.chipID)), ("count", .int(g.count)),
                                                ("computeBoundFraction", .num(g.activity.computeBound)), ("idleFraction", .num(g.activity.idle))]
                switch g.estimate {
                case let .success(x): m += [("clusterKW", .num(x.power.clusterFacilityKW.nominal)), ("energyMWh", .num(x.energyMWh.nominal)),
                                            ("usdTotal", .num(x.cost?.usdTotal?.nominal))]
                case let .failure(err): m.append(("error", .string(err.message)))
                }
                return .object(m)
            })))
            let cost: JSONValue = e.usdTotal.map { .object(PowerCostReport.sides([("usdTotal", $0)])) } ?? .null
            return [("power", .object(power)), ("cost", cost)]
        }
    }
}
