/// The power side of an energy or cost estimate: the cluster, the chip's TDP and its family's
/// power fractions, overheads per node, facility and grid. Every number may carry a range;
/// estimates evaluate at the corners of all ranged inputs (`CornerEvaluation`).
public struct PowerSetup: Sendable, Equatable {
    public var chips: Int
    public var chipsPerNode: Int
    public var tdpW: RangedValue
    public var computeBoundFraction: RangedValue
    public var memoryBoundFraction: RangedValue
    public var idleFraction: RangedValue
    /// Host (CPUs, memory, NICs, on-board switches, fans, PSU loss) per node, W.
    public var hostWattsPerNode: RangedValue
    /// Scale-out fabric (switches, optics) per node, W.
    public var networkWattsPerNode: RangedValue
    public var pue: RangedValue
    public var gridGCO2PerKWh: RangedValue

    public init(chips: Int, chipsPerNode: Int, tdpW: RangedValue, computeBoundFraction: RangedValue,
                memoryBoundFraction: RangedValue, idleFraction: RangedValue, hostWattsPerNode: RangedValue,
                networkWattsPerNode: RangedValue, pue: RangedValue, gridGCO2PerKWh: RangedValue) {
        self.chips = chips
        self.chipsPerNode = chipsPerNode
        self.tdpW = tdpW
        self.computeBoundFraction = computeBoundFraction
        self.memoryBoundFraction = memoryBoundFraction
        self.idleFraction = idleFraction
        self.hostWattsPerNode = hostWattsPerNode
        self.networkWattsPerNode = networkWattsPerNode
        self.pue = pue
        self.gridGCO2PerKWh = gridGCO2PerKWh
    }

    /// The documented defaults: the family's profile (or the default profile), host and
    /// network power per chip times `chipsPerNode`, the table's PUE and grid intensity.
    public static func standard(chips: Int, chipsPerNode: Int, tdpW: SpecValue, family: String,
                                profiles: PowerProfileSet, defaults: EconomicDefaults) -> PowerSetup {
        let p = profiles.profile(forFamily: family)
        let o = profiles.overheads
        let n = Double(max(1, chipsPerNode))
        func perNode(_ v: SpecValue) -> RangedValue {
            let r = RangedValue(v)
            return RangedValue(low: r.low * n, nominal: r.nominal * n, high: r.high * n)
        }
        return PowerSetup(chips: chips, chipsPerNode: chipsPerNode, tdpW: RangedValue(tdpW),
                          computeBoundFraction: RangedValue(p.computeBoundFraction),
                          memoryBoundFraction: RangedValue(p.memoryBoundFraction), idleFraction: RangedValue(p.idleFraction),
                          hostWattsPerNode: perNode(o.hostWattsPerChip), networkWattsPerNode: perNode(o.networkWattsPerChip),
                          pue: RangedValue(o.pue), gridGCO2PerKWh: RangedValue(defaults.gridGCO2PerKWh))
    }

    func validate() throws(PowerInputError) {
        guard chips >= 1 else { throw PowerInputError("chips must be at least 1, found \(chips)") }
        guard chipsPerNode >= 1 else { throw PowerInputError("chipsPerNode must be at least 1, found \(chipsPerNode)") }
        try requirePowerCostInput("tdpW", tdpW, "positive") { $0 > 0 }
        try requirePowerCostInput("computeBoundFraction", computeBoundFraction, "in 0...1") { $0 >= 0 && $0 <= 1 }
        try requirePowerCostInput("memoryBoundFraction", memoryBoundFraction, "in 0...1") { $0 >= 0 && $0 <= 1 }
        try requirePowerCostInput("idleFraction", idleFraction, "in 0...1") { $0 >= 0 && $0 <= 1 }
        try requirePowerCostInput("hostWattsPerNode", hostWattsPerNode, ">= 0") { $0 >= 0 }
        try requirePowerCostInput("networkWattsPerNode", networkWattsPerNode, ">= 0") { $0 >= 0 }
        try requirePowerCostInput("pue", pue, ">= 1 (facility / IT power)") { $0 >= 1 }
        try requirePowerCostInput("gridGCO2PerKWh", gridGCO2PerKWh, ">= 0") { $0 >= 0 }
    }
}

/// Owned hardware: purchase prices, life, hosting and the power price.
public struct OwnedHardware: Sendable, Equatable {
    public var chipPriceUSD: RangedValue
    /// Where the chip price comes from, for the `basis` line (`prices.json: press/analyst`, `--chip-price-usd`).
    public var chipPriceBasis: String
    public var systemUSDPerChip: RangedValue
    public var amortizationYears: RangedValue
    public var hostingUSDPerKWMonth: RangedValue
    public var powerPriceUSDPerKWh: RangedValue

    public init(chipPriceUSD: RangedValue, chipPriceBasis: String, systemUSDPerChip: RangedValue, amortizationYears: RangedValue,
                hostingUSDPerKWMonth: RangedValue, powerPriceUSDPerKWh: RangedValue) {
        self.chipPriceUSD = chipPriceUSD
        self.chipPriceBasis = chipPriceBasis
        self.systemUSDPerChip = systemUSDPerChip
        self.amortizationYears = amortizationYears
        self.hostingUSDPerKWMonth = hostingUSDPerKWMonth
        self.powerPriceUSDPerKWh = powerPriceUSDPerKWh
    }

    /// A chip price with the table's defaults for everything else.
    public static func standard(chipPriceUSD: RangedValue, chipPriceBasis: String, defaults: EconomicDefaults) -> OwnedHardware {
        OwnedHardware(chipPriceUSD: chipPriceUSD, chipPriceBasis: chipPriceBasis, systemUSDPerChip: RangedValue(defaults.systemUSDPerChip),
                      amortizationYears: RangedValue(defaults.amortizationYears),
                      hostingUSDPerKWMonth: RangedValue(defaults.hostingUSDPerKWMonth),
                      powerPriceUSDPerKWh: RangedValue(defaults.powerPriceUSDPerKWh))
    }
}

/// What a chip-hour costs: a cloud price (energy, hosting and system included) or owned hardware.
public enum ChipHourPrice: Sendable, Equatable {
    case cloud(usdPerChipHour: RangedValue, basis: String)
    case owned(OwnedHardware)

    /// From the built-in price table: owned hardware when a purchase price is listed (the
    /// comparison buyers make), else the cloud price (`preferCloud` swaps the order); nil when
    /// the table has no price for the chip.
    public static func builtIn(chipID: String, book: PriceBook, preferCloud: Bool = false) -> ChipHourPrice? {
        guard let entry = book.price(for: chipID) else { return nil }
        func owned() -> ChipHourPrice? {
            entry.priceUSD.map {
                .owned(.standard(chipPriceUSD: RangedValue($0), chipPriceBasis: "prices.json \($0.confidence.rawValue)", defaults: book.defaults))
            }
        }
        func cloud() -> ChipHourPrice? {
            entry.cloudUSDPerHour.map { .cloud(usdPerChipHour: RangedValue($0), basis: "prices.json \($0.confidence.rawValue)") }
        }
        return preferCloud ? (cloud() ?? owned()) : (owned() ?? cloud())
    }

    func validate() throws(PowerInputError) {
        switch self {
        case let .cloud(usd, _):
            try requirePowerCostInput("chipHourUSD", usd, "positive") { $0 > 0 }
        case let .owned(h):
            try requirePowerCostInput("chipPriceUSD", h.chipPriceUSD, ">= 0") { $0 >= 0 }
            try requirePowerCostInput("systemUSDPerChip", h.systemUSDPerChip, ">= 0") { $0 >= 0 }
            try requirePowerCostInput("amortizeYears", h.amortizationYears, "positive") { $0 > 0 }
            try requirePowerCostInput("hostingUSDPerKWMonth", h.hostingUSDPerKWMonth, ">= 0") { $0 >= 0 }
            try requirePowerCostInput("powerPriceUSDPerKWh", h.powerPriceUSDPerKWh, ">= 0") { $0 >= 0 }
        }
    }

    /// One line saying what the dollar figures rest on.
    func basis(pue: RangedValue) -> String {
        switch self {
        case let .cloud(usd, basis):
            return "cloud price $\(formatPowerCostRange(usd))/chip-hour (\(basis)); energy, hosting and system included in the price"
        case let .owned(h):
            return "owned: chip $\(formatPowerCostRange(h.chipPriceUSD)) (\(h.chipPriceBasis)) + system $\(formatPowerCostRange(h.systemUSDPerChip))/chip,"
                + " \(formatPowerCostRange(h.amortizationYears))-year straight-line; hosting $\(formatPowerCostRange(h.hostingUSDPerKWMonth))/kW-month on nameplate IT kW;"
                + " power $\(formatPowerCostRange(h.powerPriceUSDPerKWh))/kWh x PUE \(formatPowerCostRange(pue))"
        }
    }
}

/// `27500 (25000-40000)` or `27500`.
func formatPowerCostRange(_ r: RangedValue) -> String {
    r.hasRange ? "\(formatQuantity(r.nominal)) (\(formatQuantity(r.low))-\(formatQuantity(r.high)))" : formatQuantity(r.nominal)
}

/// Throws naming `name` unless every end of `r` is finite and satisfies `ok`.
func requirePowerCostInput(_ name: String, _ r: RangedValue, _ what: String, _ ok: (Double) -> Bool) throws(PowerInputError) {
    for (end, x) in [("", r.nominal), (" (low end)", r.low), (" (high end)", r.high)] {
        guard x.isFinite, ok(x) else { throw PowerInputError("\(name)\(end) must be finite and \(what), found \(x)") }
    }
}
