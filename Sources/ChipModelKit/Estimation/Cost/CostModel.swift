/// The scalar cost model: plain named numbers in, dollars out.
///
/// A chip-hour costs either a cloud price (which already includes energy, hosting and the
/// system), or, for owned hardware, three parts:
///
///     capex   = (chipPrice + systemPerChip) / (amortizationYears · 8766 h)      straight-line
///     hosting = provisionedITkWPerChip · hostingUSDPerKWMonth / 730.5 h           rent on nameplate kW
///     energy  = facilitykWPerChip · powerPriceUSDPerKWh                          average draw x PUE
///
/// (8766 h = 365.25 days; a month is a twelfth of it.) Capex assumes the hardware is in use
/// for its whole life; an idle fleet raises the real cost per used hour.
///
/// Then: a training run costs chip-hours x $/chip-hour; a million generated tokens cost
/// `$/chip-hour · chips / (tokens/s · 3600) · 1e6`.
public enum CostModel {
    public static let hoursPerYear = 8766.0
    public static let hoursPerMonth = hoursPerYear / 12

    public struct OwnedChipHour: Sendable, Equatable {
        public var capexUSD: Double
        public var hostingUSD: Double
        public var energyUSD: Double
        public var totalUSD: Double { capexUSD + hostingUSD + energyUSD }
    }

    public static func ownedChipHour(chipPriceUSD: Double, systemUSDPerChip: Double, amortizationYears: Double,
                                     hostingUSDPerKWMonth: Double, provisionedITKWPerChip: Double,
                                     powerPriceUSDPerKWh: Double, facilityKWPerChip: Double) -> OwnedChipHour {
        OwnedChipHour(capexUSD: (chipPriceUSD + systemUSDPerChip) / (amortizationYears * hoursPerYear),
                      hostingUSD: provisionedITKWPerChip * hostingUSDPerKWMonth / hoursPerMonth,
                      energyUSD: facilityKWPerChip * powerPriceUSDPerKWh)
    }

    public static func runUSD(usdPerChipHour: Double, chipHours: Double) -> Double { usdPerChipHour * chipHours }

    public static func usdPerMillionTokens(usdPerChipHour: Double, chips: Double, tokensPerSecond: Double) -> Double {
        usdPerChipHour * chips / (tokensPerSecond * 3600) * 1e6
    }

    /// Replicas of a serving deployment needed for `targetTokensPerSecond` (whole replicas).
    public static func replicas(targetTokensPerSecond: Double, replicaTokensPerSecond: Double) -> Double {
        max(1, (targetTokensPerSecond / replicaTokensPerSecond * (1 - 1e-12)).rounded(.up))
    }

    /// Hardware purchases over `years` with a life of `amortizationYears` (a fleet kept longer
    /// than its life is bought again).
    public static func purchases(years: Double, amortizationYears: Double) -> Double {
        max(1, (years / amortizationYears * (1 - 1e-12)).rounded(.up))
    }
}
