/// The scalar power model: plain named numbers in, watts out. The ranged, validated entry
/// points are in `EnergyCostEstimator`; these functions are what it evaluates at every corner.
///
/// Chip power (per accelerator, averaged over a step):
///
///     P_chip = TDP · (a_c·f_c + a_m·f_m + a_i·f_i)
///
/// with `a` the `ActivityMix` shares of wall time and `f` the family's power fractions of TDP
/// for compute-bound, memory-bound and idle phases (`Specs/economics/power-profiles.json`,
/// each fraction <= 1, so P_chip <= TDP: TDP is the sustained board limit the power manager
/// enforces). This is the phase-weighted power model of the measurements behind the profile
/// table (Choukse et al. 2025 for compute vs communication phases of training; Splitwise,
/// Patel et al. ISCA 2024 section III for prompt vs token phases; Ma et al. 2026 for decode).
///
/// Node and cluster power add what is not the accelerator: host (CPUs, memory, on-board
/// switches, NICs, fans, PSU loss) and the scale-out fabric (switches, optics) per node, both
/// taken as constant over the step, then the facility overhead (PUE = facility / IT power,
/// The Green Grid's definition):
///
///     P_IT       = chips · P_chip + nodes · (host_W + network_W)
///     P_facility = PUE · P_IT
///     nodes      = ceil(chips / chipsPerNode)
///
/// Provisioned (nameplate) IT power replaces P_chip by TDP; it bounds P_IT from above and is
/// what hosting is billed on.
public enum PowerModel {
    public static func chipWatts(tdpW: Double, activity: ActivityMix, computeBoundFraction: Double,
                                 memoryBoundFraction: Double, idleFraction: Double) -> Double {
        chipWatts(tdpW: tdpW, computeBoundShare: activity.computeBound, memoryBoundShare: activity.memoryBound,
                  idleShare: activity.idle, computeBoundFraction: computeBoundFraction,
                  memoryBoundFraction: memoryBoundFraction, idleFraction: idleFraction)
    }

    public static func chipWatts(tdpW: Double, computeBoundShare: Double, memoryBoundShare: Double, idleShare: Double,
                                 computeBoundFraction: Double, memoryBoundFraction: Double, idleFraction: Double) -> Double {
        tdpW * (computeBoundShare * computeBoundFraction + memoryBoundShare * memoryBoundFraction + idleShare * idleFraction)
    }

    /// Whole nodes holding `chips` (a partly filled node still draws its host power).
    public static func nodes(chips: Double, chipsPerNode: Double) -> Double {
        (chips / chipsPerNode).rounded(.up)
    }

    public static func clusterITWatts(chips: Double, chipWatts: Double, nodes: Double,
                                      hostWattsPerNode: Double, networkWattsPerNode: Double) -> Double {
        chips * chipWatts + nodes * (hostWattsPerNode + networkWattsPerNode)
    }

    public static func facilityWatts(itWatts: Double, pue: Double) -> Double { itWatts * pue }
}
