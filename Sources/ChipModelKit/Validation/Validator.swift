import Dispatch
import Foundation

extension MeasurementCase.Kind: CaseIterable {
    public static var allCases: [MeasurementCase.Kind] { [.training, .inference] }
}

/// The outcome of one measurement case: the estimate and its signed relative error, or the
/// reason no estimate could be made.
public struct CaseResult: Sendable {
    public var measurementCase: MeasurementCase
    /// The estimate, when one was made.
    public var estimate: CaseEstimate?
    /// Why no estimate was made (unknown chip id, a plan that does not fit, an unsupported
    /// model, no estimator for the case's kind); `nil` when `estimate` is set.
    public var failure: String?

    public init(measurementCase: MeasurementCase, estimate: CaseEstimate?, failure: String?) {
        self.measurementCase = measurementCase
        self.estimate = estimate
        self.failure = failure
    }

    public var id: String { measurementCase.id }
    public var kind: MeasurementCase.Kind { measurementCase.kind }
    public var metric: CaseMetric { measurementCase.metric }
    public var measured: Double { measurementCase.measured }
    public var weight: Double { measurementCase.weight }
    public var failed: Bool { estimate == nil }

    /// Signed relative error `(estimate - measured) / measured` (Benchmarks/CASES.md); `nil` for a
    /// failed case. Positive: the model over-estimates the metric (for a time metric such as
    /// `stepTimeSeconds` that means it predicts the run slower than measured).
    public var error: Double? {
        guard let e = estimate?.value else { return nil }
        return (e - measured) / measured
    }

    public var absError: Double? { error.map(abs) }
}

/// Aggregate accuracy over a set of case results.
///
/// Conventions (documented here because every figure the project quotes comes from them):
/// - `count`: all cases in the set, `failed`: those without an estimate.
/// - The error statistics are over the *scored* cases: weight > 0 and an estimate was made.
///   Weight-0 cases (information only) and failed cases never enter them; failures are
///   counted in `failed` instead, so a model cannot improve its figures by failing.
/// - `weightedMedianAbsError` is the **lower weighted median** of |error|: sort the scored
///   cases by |error| ascending (ties keep case order) and take the first |error| at which
///   the cumulative weight reaches at least half the total weight. With equal weights and an
///   even count this is the lower of the two middle values; it is always one of the observed
///   errors (never an interpolation).
/// - `weightedMeanAbsError` = Σ wᵢ·|errᵢ| / Σ wᵢ over scored cases.
/// - `maxAbsError`: the largest |error| over scored cases.
/// All three are `nil` when no case is scored.
public struct ValidationSummary: Sendable, Equatable {
    public var count: Int
    public var failed: Int
    /// Cases that entered the error statistics (weight > 0, estimated).
    public var scored: Int
    public var weightedMedianAbsError: Double?
    public var weightedMeanAbsError: Double?
    public var maxAbsError: Double?

    public init(_ results: [CaseResult]) {
        count = results.count
        failed = results.filter(\.failed).count
        let pairs = results.compactMap { r -> (Double, Double)? in
            guard r.weight > 0, let a = r.absError, a.isFinite else { return nil }
            return (a, r.weight)
        }
        scored = pairs.count
        weightedMedianAbsError = weightedLowerMedian(pairs)
        let totalWeight = pairs.reduce(0) { $0 + $1.1 }
        weightedMeanAbsError = totalWeight > 0 ? pairs.reduce(0) { $0 + $1.0 * $1.1 } / totalWeight : nil
        maxAbsError = pairs.map(\.0).max()
    }
}

/// The lower weighted median of `(value, weight)` pairs: the smallest value `v` (in sorted
/// order, ties broken by input order) such that the weight of values up to and including
/// `v` is at least half the total. Pairs with weight <= 0 or a non-finite value are ignored;
/// `nil` when nothing remains.
///
/// Examples: values 1, 2, 3, 4 with equal weights -> 2 (lower middle); values 1, 2, 3 with
/// weights 1, 1, 3 -> 3 (weight of {1, 2} is 2 < 2.5).
public func weightedLowerMedian(_ pairs: [(value: Double, weight: Double)]) -> Double? {
    let kept = pairs.enumerated()
        .filter { $0.element.weight > 0 && $0.element.weight.isFinite && $0.element.value.isFinite }
        .sorted { ($0.element.value, $0.offset) < ($1.element.value, $1.offset) }
        .map(\.element)
    let total = kept.reduce(0) { $0 + $1.weight }
    guard total > 0 else { return nil }
    var cumulative = 0.0
    for p in kept {
        cumulative += p.weight
        if cumulative * 2 >= total { return p.value }
    }
    return kept.last?.value
}

/// Every case's result (in case-file order) with the overall and per-kind summaries.
public struct ValidationReport: Sendable {
    public var results: [CaseResult]
    public var summary: ValidationSummary
    /// Per kind, only for kinds that have at least one case.
    public var summaryByKind: [(kind: MeasurementCase.Kind, summary: ValidationSummary)]

    public init(results: [CaseResult]) {
        self.results = results
        summary = ValidationSummary(results)
        summaryByKind = MeasurementCase.Kind.allCases.compactMap { kind in
            let subset = results.filter { $0.kind == kind }
            return subset.isEmpty ? nil : (kind, ValidationSummary(subset))
        }
    }

    /// Results worst first: failed cases first (in case order), then by |error| descending,
    /// ties in case order.
    public var worstFirst: [CaseResult] {
        results.enumerated().sorted { a, b in
            let ea = a.element.absError ?? .infinity, eb = b.element.absError ?? .infinity
            if ea != eb { return ea > eb }
            return a.offset < b.offset
        }.map(\.element)
    }

    public func result(id: String) -> CaseResult? { results.first { $0.id == id } }
}

/// Runs measurement cases through the estimator for their kind.
///
/// Each case is independent: an error thrown by an estimator (an unknown chip or model id, a
/// plan that does not fit in memory, an unsupported model or format) becomes that case's
/// `failure` string and the other cases still run. A case whose kind has no estimator fails
/// with a message saying so. Output is deterministic and in case order whether or not cases
/// run in parallel.
public struct Validator: Sendable {
    public var estimators: [MeasurementCase.Kind: any CaseEstimating]
    public var catalog: ChipCatalog
    public var zoo: ModelZoo
    /// Run cases concurrently (the machine has 2 cores; estimates with a plan search take
    /// long enough that the dispatch overhead is negligible).
    public var parallel: Bool

    public init(estimators: [MeasurementCase.Kind: any CaseEstimating], catalog: ChipCatalog, zoo: ModelZoo,
                parallel: Bool = true) {
        self.estimators = estimators
        self.catalog = catalog
        self.zoo = zoo
        self.parallel = parallel
    }

    public func run(_ cases: [MeasurementCase]) -> ValidationReport {
        ValidationReport(results: runCases(cases))
    }

    /// One case, never throwing.
    public func run(_ c: MeasurementCase) -> CaseResult {
        // Checks every estimator would make, done once here so the messages are uniform.
        do {
            for id in c.groups?.map(\.chip) ?? [c.chip] { _ = try catalog.chip(id) }
        } catch {
            return CaseResult(measurementCase: c, estimate: nil, failure: String(describing: error))
        }
        do {
            _ = try c.resolveModel(in: zoo)
        } catch {
            return CaseResult(measurementCase: c, estimate: nil, failure: String(describing: error))
        }
        guard let estimator = estimators[c.kind] else {
            return CaseResult(measurementCase: c, estimate: nil,
                              failure: "no estimator registered for \(c.kind.rawValue) cases")
        }
        do {
            let e = try estimator.estimate(c, catalog: catalog, zoo: zoo)
            guard e.value.isFinite, e.value > 0 else {
                return CaseResult(measurementCase: c, estimate: nil,
                                  failure: "estimator returned \(e.value) for \(c.metric.rawValue), expected a positive finite value")
            }
            return CaseResult(measurementCase: c, estimate: e, failure: nil)
        } catch {
            let text = String(describing: error)
            return CaseResult(measurementCase: c, estimate: nil, failure: text.isEmpty ? "estimate failed" : text)
        }
    }

    private func runCases(_ cases: [MeasurementCase]) -> [CaseResult] {
        guard parallel, cases.count > 1 else { return cases.map { run($0) } }
        let slots = ResultSlots(count: cases.count)
        // Cases are handed out one at a time from a shared counter so a slow case does not
        // leave the other core idle; each result lands in its own slot (case order).
        let next = ResultSlots.Counter()
        let workers = min(2, cases.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = next.take(below: cases.count) {
                slots.set(i, run(cases[i]))
            }
        }
        return slots.values()
    }
}

/// Results written by concurrent workers, one slot per case, guarded by a lock.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [CaseResult?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: CaseResult) {
        lock.lock()
        slots[i] = r
        lock.unlock()
    }

    func values() -> [CaseResult] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }

    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func take(below n: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < n else { return nil }
            value += 1
            return value - 1
        }
    }
}
