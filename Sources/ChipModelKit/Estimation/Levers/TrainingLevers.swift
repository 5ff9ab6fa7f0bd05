// What would help a training run most: the marginal gain in tokens/s per chip from a small
// improvement of each resource, every perturbed chip with its own full plan search.
//
// A one-at-a-time sensitivity analysis (Saltelli et al., "Global Sensitivity Analysis: The
// Primer", 2008, section 1.2.3, local derivative-based measures): each resource r of the
// nominal chip is scaled by (1 + f) (f = 10% by default), the run is estimated again with its
// plan searched anew (the best plan may change: more HBM admits a plan with less recompute,
// faster scale-out a wider DP), and the lever is the relative gain in tokens/s per chip,
// `tokens'/tokens - 1`. A resource that does not bind gains nothing; the plan search only
// adds choices, so a gain is never meaningfully negative (any negative is search noise and is
// reported as found). The pipeline bubble is a property of the plan, not of a resource: its
// lever is the gain from a bubble f smaller with everything else held
// (`step / (step - f·bubble) - 1`), so it ranks on the same scale as the resources.
//
// This replaces the "binding" of a training step, which named the largest term of the step's
// breakdown and so was "compute" even where a slow link cost a third of the throughput (the
// compute term itself carries the D2D and memory stalls of the roofline per operation).
import Foundation

/// A resource of a chip that a lever perturbs.
public enum TrainingResource: String, Sendable, CaseIterable {
    /// The matrix and vector peaks in every format.
    case compute
    /// Off-chip memory (HBM) bandwidth.
    case memoryBandwidth = "hbm-bandwidth"
    /// Off-chip memory capacity.
    case memoryCapacity = "hbm-capacity"
    /// Die-to-die bandwidth (chips with more than one compute die).
    case d2d
    /// Scale-up (NVLink-class) bandwidth per chip.
    case scaleUp = "scale-up"
    /// Scale-out (NIC) bandwidth per chip.
    case scaleOut = "scale-out"

    /// For people: "HBM bandwidth".
    public var label: String {
        switch self {
        case .compute: return "compute"
        case .memoryBandwidth: return "HBM bandwidth"
        case .memoryCapacity: return "HBM capacity"
        case .d2d: return "D2D bandwidth"
        case .scaleUp: return "scale-up bandwidth"
        case .scaleOut: return "scale-out bandwidth"
        }
    }

    /// `p` with this resource scaled by `factor`, or nil when the chip does not have it (no D2D
    /// on a monolithic chip, a missing spec value).
    public func scaled(_ p: ChipParameters, by factor: Double) -> ChipParameters? {
        var q = p
        switch self {
        case .compute:
            guard !p.matmulTflops.isEmpty else { return nil }
            q.matmulTflops = p.matmulTflops.mapValues { $0 * factor }
            q.vectorTflops = p.vectorTflops.mapValues { $0 * factor }
        case .memoryBandwidth:
            guard let v = p.memoryBandwidthGBps else { return nil }
            q.memoryBandwidthGBps = v * factor
        case .memoryCapacity:
            guard let v = p.memoryCapacityGB else { return nil }
            q.memoryCapacityGB = v * factor
        case .d2d:
            guard p.computeDies > 1, let v = p.d2dPerDirectionGBps else { return nil }
            q.d2dPerDirectionGBps = v * factor
        case .scaleUp:
            guard let v = p.scaleUpPerDirectionGBps else { return nil }
            q.scaleUpPerDirectionGBps = v * factor
        case .scaleOut:
            guard let v = p.scaleOutPerDirectionGBps else { return nil }
            q.scaleOutPerDirectionGBps = v * factor
        }
        return q
    }
}

/// One lever: a name (a resource's raw value, or `bubble`), its label and the relative gain in
/// tokens/s per chip it buys.
public struct LeverGain: Sendable, Equatable {
    /// `compute`, `hbm-bandwidth`, `hbm-capacity`, `d2d`, `scale-up`, `scale-out` or `bubble`.
    public var name: String
    public var label: String
    /// tokens/s per chip after / before - 1 (0.04 = +4%).
    public var gain: Double
    /// tokens/s per chip with the lever pulled.
    public var tokensPerSecondPerChip: Double
    /// The plan the perturbed search chose, when it differs from the baseline's.
    public var plan: TrainingPlan?
    /// Why the lever could not be evaluated (the perturbed estimate failed); gain is 0 then.
    public var failure: String?

    public init(name: String, label: String, gain: Double, tokensPerSecondPerChip: Double, plan: TrainingPlan? = nil, failure: String? = nil) {
        self.name = name
        self.label = label
        self.gain = gain
        self.tokensPerSecondPerChip = tokensPerSecondPerChip
        self.plan = plan
        self.failure = failure
    }
}

/// The levers of one training estimate, best first.
public struct TrainingLevers: Sendable, Equatable {
    /// The relative improvement each lever applies (0.1 = +10%).
    public var perturbation: Double
    public var baselineTokensPerSecondPerChip: Double
    /// Every lever evaluated, largest gain first (ties in `TrainingResource` order, bubble last).
    public var levers: [LeverGain]
    /// The pipeline bubble's share of the step.
    public var bubbleShare: Double
    /// Exposed communication (TP, PP, DP, EP, CP) as a share of the step.
    public var exposedCommunicationShare: Double

    /// Gains below this are "nothing binds" (0.1% of throughput).
    public static let negligibleGain = 1e-3

    /// The lever with the largest gain, nil when none gains more than `negligibleGain`.
    public var top: LeverGain? { levers.first.flatMap { $0.gain > Self.negligibleGain ? $0 : nil } }

    /// `d2d +3.9%` (the whatif binding column), or `none` when no lever gains.
    public var topSummary: String {
        guard let t = top else { return "none" }
        return "\(t.name) \(formatSignedPercent(t.gain))"
    }

    /// "what would help most (+10% each, plan re-searched): D2D bandwidth +6.1% (plan TP8 ...),
    /// compute +2.3%, ...; pipeline bubble 2.3% of the step".
    public var line: String {
        let pct = formatQuantity(perturbation * 100)
        let shown = levers.filter { $0.gain > Self.negligibleGain }
        var parts = shown.map { l -> String in
            "\(l.label) \(formatSignedPercent(l.gain))" + (l.plan.map { " (plan \($0))" } ?? "")
        }
        if parts.isEmpty { parts = ["no resource gains more than \(formatQuantity(Self.negligibleGain * 100))%"] }
        let flat = levers.filter { $0.gain <= Self.negligibleGain && $0.failure == nil }.map(\.name)
        var out = "what would help most (+\(pct)% of each, plan re-searched, tokens/s/chip): " + parts.joined(separator: ", ")
        if !flat.isEmpty { out += "; no gain from " + flat.joined(separator: ", ") }
        out += "; bubble \(formatFixed(bubbleShare * 100, decimals: 1))% and exposed communication \(formatFixed(exposedCommunicationShare * 100, decimals: 1))% of the step"
        for l in levers { if let f = l.failure { out += "; \(l.name): \(f)" } }
        return out
    }
}

extension TrainingLevers {
    /// The levers of `baseline` (an estimate on the nominal parameters `params`): each resource
    /// scaled by (1 + `perturbation`) and estimated again by `estimate` (the caller's door with
    /// its own plan search), plus the bubble's lever from the baseline's breakdown.
    public static func analyze(baseline: TrainingEstimate, params: ChipParameters, perturbation: Double = 0.1,
                               estimate: (ChipParameters) throws -> TrainingEstimate) -> TrainingLevers {
        let before = baseline.tokensPerSecondPerChip
        var levers: [LeverGain] = []
        for r in TrainingResource.allCases {
            guard let q = r.scaled(params, by: 1 + perturbation) else { continue }
            do {
                let e = try estimate(q)
                let gain = before > 0 && e.tokensPerSecondPerChip.isFinite ? e.tokensPerSecondPerChip / before - 1 : 0
                levers.append(LeverGain(name: r.rawValue, label: r.label, gain: gain, tokensPerSecondPerChip: e.tokensPerSecondPerChip,
                                        plan: e.plan == baseline.plan ? nil : e.plan))
            } catch {
                levers.append(LeverGain(name: r.rawValue, label: r.label, gain: 0, tokensPerSecondPerChip: before,
                                        failure: String("\(error)".prefix(200))))
            }
        }
        let b = baseline.breakdown
        let step = baseline.stepSeconds
        let bubbleGain = step > 0 && b.bubble > 0 ? step / (step - perturbation * b.bubble) - 1 : 0
        levers.append(LeverGain(name: "bubble", label: "a smaller pipeline bubble", gain: bubbleGain,
                                tokensPerSecondPerChip: before * (1 + bubbleGain)))
        levers = levers.enumerated().sorted { x, y in
            x.element.gain != y.element.gain ? x.element.gain > y.element.gain : x.offset < y.offset
        }.map(\.element)
        let comm = b.tpExposed + b.ppExposed + b.dpExposed + b.epExposed + b.cpExposed
        return TrainingLevers(perturbation: perturbation, baselineTokensPerSecondPerChip: before, levers: levers,
                              bubbleShare: step > 0 ? b.bubble / step : 0,
                              exposedCommunicationShare: step > 0 ? comm / step : 0)
    }
}

extension TrainingRun {
    /// The levers of this run's estimate `baseline` on the nominal parameters of a chip: every
    /// perturbed chip gets this run's plan search again (six searches more than the estimate;
    /// only the nominal corner is analysed). To keep that affordable the perturbed searches
    /// hold the baseline plan's communication-overlap switches (DP, TP, PP, EP overlap), which
    /// a 10% change of one resource does not flip in practice; every other plan field (TP, PP,
    /// DP, CP, EP, microbatch, virtual stages, recompute, ZeRO, SP) is searched anew.
    public func levers(_ params: ChipParameters, baseline: TrainingEstimate, perturbation: Double = 0.1) -> TrainingLevers {
        var run = self
        let p = baseline.plan
        run.search.overlapDataParallel = run.search.overlapDataParallel ?? p.overlapDataParallel
        run.search.overlapTensorParallel = run.search.overlapTensorParallel ?? p.overlapTensorParallel
        run.search.overlapPipelineComm = run.search.overlapPipelineComm ?? p.overlapPipelineComm
        run.search.overlapExpertParallel = run.search.overlapExpertParallel ?? p.overlapExpertParallel
        run.search.top = 1
        return TrainingLevers.analyze(baseline: baseline, params: params, perturbation: perturbation) { try run.estimate($0) }
    }
}
