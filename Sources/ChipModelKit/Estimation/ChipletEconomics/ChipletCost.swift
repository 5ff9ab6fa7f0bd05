import Foundation

/// Default cost assumptions for a process node. Every figure is an assumption with a source
/// and a range; the CLI lets each be overridden.
public struct ProcessNode: Sendable, Equatable {
    public var name: String
    /// Foundry sale price of one processed 300 mm wafer, USD.
    public var waferCostUSD: Double
    public var waferCostRangeUSD: ClosedRange<Double>
    /// Killer-defect density of a mature process, defects per cm².
    public var defectsPerCm2: Double
    public var defectsRange: ClosedRange<Double>
    public var source: String

    /// Wafer prices: Khan & Mann, "AI Chips: What They Are and Why They Matter", CSET (2020),
    /// foundry sale price per 300 mm wafer by node (from their cost model), except 3 nm
    /// (press reports of TSMC N3 pricing, ~USD 18-20k, 2022-2024). Defect densities: TSMC's
    /// reported D0 for N7/N5 of about 0.09-0.10 per cm² at volume (TSMC Technology Symposium
    /// 2020, as reported by AnandTech); older nodes assumed 0.05-0.1, N3 assumed 0.1-0.2.
    public static let table: [ProcessNode] = [
        ProcessNode(name: "28nm", waferCostUSD: 2891, waferCostRangeUSD: 2500...3500, defectsPerCm2: 0.05, defectsRange: 0.03...0.1,
                    source: "CSET 2020 (Khan & Mann) wafer price; D0 assumed for a mature node"),
        ProcessNode(name: "16nm", waferCostUSD: 3984, waferCostRangeUSD: 3500...5000, defectsPerCm2: 0.06, defectsRange: 0.03...0.1,
                    source: "CSET 2020 (16/12 nm) wafer price; D0 assumed for a mature node"),
        ProcessNode(name: "10nm", waferCostUSD: 5992, waferCostRangeUSD: 5000...7000, defectsPerCm2: 0.08, defectsRange: 0.05...0.15,
                    source: "CSET 2020 wafer price; D0 assumed"),
        ProcessNode(name: "7nm", waferCostUSD: 9346, waferCostRangeUSD: 8000...11000, defectsPerCm2: 0.09, defectsRange: 0.05...0.2,
                    source: "CSET 2020 wafer price; TSMC N7 D0 ~0.09/cm2 (TSMC 2020 symposium via AnandTech)"),
        ProcessNode(name: "5nm", waferCostUSD: 16988, waferCostRangeUSD: 13000...18000, defectsPerCm2: 0.10, defectsRange: 0.07...0.2,
                    source: "CSET 2020 wafer price; TSMC N5 D0 ~0.10/cm2 (TSMC 2020 symposium via AnandTech)"),
        ProcessNode(name: "3nm", waferCostUSD: 19000, waferCostRangeUSD: 17000...22000, defectsPerCm2: 0.12, defectsRange: 0.08...0.25,
                    source: "press reports of TSMC N3 wafer prices (~USD 18-20k); D0 assumed"),
    ]

    public static var names: [String] { table.map(\.name) }

    /// `7nm`, `7`, `N7`, `7nm-class` -> the 7nm entry.
    public static func named(_ s: String) -> ProcessNode? {
        var t = s.lowercased()
        if t.hasPrefix("n") { t.removeFirst() }
        let digits = t.prefix { $0.isNumber }
        guard !digits.isEmpty else { return nil }
        let rest = t.dropFirst(digits.count)
        guard rest.isEmpty || rest.hasPrefix("nm") else { return nil }
        if digits == "12" { return table.first { $0.name == "16nm" } }
        if digits == "4" { return table.first { $0.name == "5nm" } }
        if digits == "6" { return table.first { $0.name == "7nm" } }
        return table.first { $0.name == "\(digits)nm" }
    }
}

/// Every assumption of the chiplet cost model, with documented defaults.
public struct ChipletAssumptions: Sendable, Equatable {
    /// Logic area of the whole design as one monolithic die, mm² (without D2D interfaces).
    public var logicAreaMm2: Double
    public var node: ProcessNode
    public var waferCostUSD: Double
    public var defectsPerCm2: Double
    public var waferDiameterMm: Double = 300
    public var yieldModel: YieldModel = .murphy
    /// Die area added by one D2D interface (PHY + controller), as a fraction of the chiplet's
    /// logic area. Default 3% (assumption; 2-10%: UCIe advanced-package PHY modules are a few
    /// mm² per 0.5-1 TB/s of shoreline, on 100-400 mm² chiplets).
    public var d2dAreaFractionPerInterface: Double = 0.03
    /// D2D energy, pJ per bit moved. Default 0.5 (UCIe 1.0 advanced-package target 0.25-0.5
    /// pJ/bit, standard package ~0.5-1; UCIe 1.0 specification, 2022).
    public var d2dPicojoulesPerBit: Double = 0.5
    /// Traffic over each D2D link, GB/s summed over both directions, used for the power
    /// estimate (the link run at this rate). Default 896 GB/s (BR100/BR166's D2D figure).
    public var d2dLinkGBps: Double = 896
    /// Known-good-die test cost per die tested (wafer sort), USD. Default 5 (assumption;
    /// 1-20). Every chiplet is tested before assembly; the monolithic die too.
    public var testCostPerDieUSD: Double = 5
    /// Package and assembly cost of a single-die package, USD (substrate, assembly, final
    /// test; HBM left out, the same in every option). Default 60 (assumption; 30-150).
    public var packageCostUSD: Double = 60
    /// Extra package cost of multi-die integration (silicon interposer or bridges), USD per
    /// mm² of total silicon placed on it. Default 0.1 USD/mm² (assumption: CoWoS-class
    /// interposers are estimated at USD 50-200 for a reticle-sized interposer).
    public var interposerCostPerMm2USD: Double = 0.1
    /// Probability that attaching one die succeeds (bonding yield). Default 0.99 (assumption;
    /// 0.97-0.995). A package with n dies yields bondYield^n.
    public var bondYield: Double = 0.99
    /// Throughput of the whole design (all chiplets), TFLOPS, for perf per W / per USD.
    public var designTflops: Double?
    /// Power of the whole design's logic, W (D2D power is added per option).
    public var designTdpW: Double?
    /// Throughput to reach, TFLOPS, for "how many packages and what do they cost".
    public var targetTflops: Double?

    public init(logicAreaMm2: Double, node: ProcessNode) {
        self.logicAreaMm2 = logicAreaMm2
        self.node = node
        waferCostUSD = node.waferCostUSD
        defectsPerCm2 = node.defectsPerCm2
    }
}

/// One design option: the logic split over `chiplets` dies.
public struct ChipletOption: Sendable, Equatable {
    public var chiplets: Int
    /// D2D interfaces per die: 0 monolithic, 1 for two dies, 2 for more (dies in a ring).
    public var interfacesPerDie: Int
    /// D2D links in the package (1 for two dies, n for a ring of n >= 3).
    public var links: Int
    public var dieAreaMm2: Double
    /// Die area spent on D2D interfaces, fraction of the die.
    public var d2dAreaFraction: Double
    public var grossDiesPerWafer: Double
    public var dieYield: Double
    public var costPerGoodDieUSD: Double
    public var packageCostUSD: Double
    public var packageYield: Double
    /// Cost of one good package: dies + package, over the assembly yield.
    public var costPerPackageUSD: Double
    /// Silicon area bought per good package (wafer area consumed), mm².
    public var waferAreaPerPackageMm2: Double
    public var d2dPowerW: Double
    /// False when a die exceeds the reticle limit.
    public var manufacturable: Bool
    public var tflopsPerW: Double?
    public var tflopsPerUSD: Double?
    public var packagesForTarget: Int?
    public var costForTargetUSD: Double?
}

/// Monolithic vs chiplet cost and yield.
///
/// For `n` chiplets the logic area is split evenly; each die grows by its D2D interfaces.
/// Cost per good die = (wafer cost + dies × test cost) / (gross dies × die yield): every die
/// on the wafer is tested (known-good-die sort) and only good ones are packaged. A package
/// costs the base package + (for n > 1) the interposer for its silicon, and succeeds with
/// bondYield^n; cost per good package = (n × good-die cost + package cost) / package yield.
public enum ChipletEconomics {
    public static func option(chiplets n: Int, _ a: ChipletAssumptions) -> ChipletOption {
        let count = max(1, n)
        let interfaces = count == 1 ? 0 : (count == 2 ? 1 : 2)
        let links = count == 1 ? 0 : (count == 2 ? 1 : count)
        let logicPerDie = a.logicAreaMm2 / Double(count)
        let die = logicPerDie * (1 + a.d2dAreaFractionPerInterface * Double(interfaces))
        let gross = Wafer.grossDies(waferDiameterMm: a.waferDiameterMm, dieAreaMm2: die)
        let wholeDies = gross.rounded(.down)
        let y = a.yieldModel.dieYield(areaCm2: die / 100, defectsPerCm2: a.defectsPerCm2)
        let goodDies = wholeDies * y
        let costPerGoodDie = goodDies > 0 ? (a.waferCostUSD + wholeDies * a.testCostPerDieUSD) / goodDies : .infinity
        let silicon = die * Double(count)
        let pkg = a.packageCostUSD + (count > 1 ? a.interposerCostPerMm2USD * silicon : 0)
        let pkgYield = pow(a.bondYield, Double(count))
        let costPerPackage = (Double(count) * costPerGoodDie + pkg) / pkgYield
        let waferArea = Double.pi * a.waferDiameterMm * a.waferDiameterMm / 4
        let waferAreaPerPackage = goodDies > 0 ? waferArea / goodDies * Double(count) / pkgYield : .infinity
        let d2dPower = Double(links) * a.d2dLinkGBps * 1e9 * 8 * a.d2dPicojoulesPerBit * 1e-12
        var o = ChipletOption(chiplets: count, interfacesPerDie: interfaces, links: links, dieAreaMm2: die,
                              d2dAreaFraction: die > 0 ? (die - logicPerDie) / die : 0, grossDiesPerWafer: gross, dieYield: y,
                              costPerGoodDieUSD: costPerGoodDie, packageCostUSD: pkg, packageYield: pkgYield,
                              costPerPackageUSD: costPerPackage, waferAreaPerPackageMm2: waferAreaPerPackage,
                              d2dPowerW: d2dPower, manufacturable: die <= Wafer.reticleLimitMm2 && wholeDies >= 1)
        if let t = a.designTflops {
            if let w = a.designTdpW { o.tflopsPerW = t / (w + d2dPower) }
            if costPerPackage.isFinite { o.tflopsPerUSD = t / costPerPackage }
            if let target = a.targetTflops, t > 0 {
                let packages = (target / t).rounded(.up)
                if packages <= 1e9 {
                    o.packagesForTarget = Int(packages)
                    o.costForTargetUSD = packages * costPerPackage
                }
            }
        }
        return o
    }

    /// The options for each chiplet count, and the index of the cheapest manufacturable one
    /// per good package (nil when none can be made).
    public static func compare(chiplets: [Int], _ a: ChipletAssumptions) -> (options: [ChipletOption], cheapest: Int?) {
        let options = chiplets.map { option(chiplets: $0, a) }
        let best = options.indices.filter { options[$0].manufacturable && options[$0].costPerPackageUSD.isFinite }
            .min { options[$0].costPerPackageUSD < options[$1].costPerPackageUSD }
        return (options, best)
    }
}
