// What-if over a mixed cluster: vary one group's chip count or the inter-group fabric and see
// what the mixed plan gains (each point is a full mixed estimate with its own plan search).

/// A parameter of a mixed cluster a sweep can vary.
public enum MixedSweepParameter: Sendable, Equatable {
    /// The chip count of group i (0-based; the name is 1-based: `group2.count`); 0 drops the group.
    case groupCount(Int)
    /// `inter-group-gbps`: the fabric's link rate per chip and direction, GB/s.
    case interGroupGBps
    /// `inter-group-latency-us`.
    case interGroupLatencyUs

    /// Parses a sweep name for a cluster of `groups` groups; nil with the names it knows.
    public static func parse(_ name: String, groups: Int) -> MixedSweepParameter? {
        switch name {
        case "inter-group-gbps": return .interGroupGBps
        case "inter-group-latency-us": return .interGroupLatencyUs
        default:
            guard name.hasPrefix("group"), name.hasSuffix(".count"),
                  let i = Int(name.dropFirst(5).dropLast(6)), (1...groups).contains(i) else { return nil }
            return .groupCount(i - 1)
        }
    }

    public static func names(groups: Int) -> [String] {
        (1...max(1, groups)).map { "group\($0).count" } + ["inter-group-gbps", "inter-group-latency-us"]
    }
}

/// One point of a mixed sweep: the estimate, or why none was made.
public struct MixedSweepRow: Sendable {
    public var value: Double
    public var outcome: Result<MixedTrainingEstimate, MixedInfeasibleError>
}

public struct MixedSweep: Sendable {
    public var groups: [MixedGroupSpec]
    public var fabric: InterGroupFabric
    public var workload: TrainingWorkload
    public var constraints: PlanConstraints
    public var parameter: MixedSweepParameter
    public var values: [Double]

    public init(groups: [MixedGroupSpec], fabric: InterGroupFabric, workload: TrainingWorkload, constraints: PlanConstraints,
                parameter: MixedSweepParameter, values: [Double]) {
        self.groups = groups
        self.fabric = fabric
        self.workload = workload
        self.constraints = constraints
        self.parameter = parameter
        self.values = values
    }

    /// A value the parameter cannot take (a count that is not a whole number >= 0, a bandwidth
    /// that is not positive, a latency below 0), for a usage error.
    public var invalidValue: Double? {
        values.first { v in
            switch parameter {
            case .groupCount: return !(v >= 0 && v <= 10_000_000 && v.rounded() == v)
            case .interGroupGBps: return !(v > 0 && v <= 1e9)
            case .interGroupLatencyUs: return !(v >= 0 && v <= 1e9)
            }
        }
    }

    /// Every point, in order (`progress` after each).
    public func run(progress: (Int) -> Void = { _ in }) -> [MixedSweepRow] {
        values.enumerated().map { i, v in
            var g = groups, f = fabric
            switch parameter {
            case let .groupCount(k): g[k].count = Int(v)
            case .interGroupGBps: f.bandwidthGBps = v
            case .interGroupLatencyUs: f.latencyUs = v
            }
            let kept = g.filter { $0.count > 0 }
            let outcome: Result<MixedTrainingEstimate, MixedInfeasibleError>
            do {
                // A dropped group (count 0) is absent from that point's estimate.
                outcome = .success(try MixedTrainingEstimator.estimate(groups: kept, fabric: f, workload: workload,
                                                                       constraints: constraints))
            } catch let e as MixedInfeasibleError {
                outcome = .failure(e)
            } catch {
                outcome = .failure(MixedInfeasibleError(message: "\(error)"))
            }
            progress(i + 1)
            return MixedSweepRow(value: v, outcome: outcome)
        }
    }
}
