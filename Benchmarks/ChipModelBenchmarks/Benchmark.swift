import ChipModelCLI
import ChipModelKit
import Foundation

// The release benchmark framework (issue 8). The cases live here, in the CLI library, so the
// `chipmodel-bench` executable runs them and the test suite can smoke-run every case once with
// tiny sizes (a test target cannot import an executable target).
//
// Adding a measurement: write a `static let` `BenchmarkCase` (in its own file, as
// `RooflineKernelBenchmark.swift` does) and append it to `BenchmarkSuite.all`.

/// One reported number.
public struct BenchmarkMeasurement: Sendable, Equatable {
    /// Stable dotted name, e.g. `roofline.simd.threads1.n1e6`.
    public var name: String
    public var value: Double
    /// Unit of `value` (`Mpoints/s`, `s`, `candidates/s`, ...).
    public var unit: String
    /// `value` divided by the `reference` measurement's value (or a target), where it applies.
    public var ratio: Double?
    /// What `ratio` compares against: another measurement's name or a stated target.
    public var reference: String?
    /// Extra context (median, check sums, the best plan found).
    public var detail: String?

    public init(name: String, value: Double, unit: String, ratio: Double? = nil, reference: String? = nil, detail: String? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.ratio = ratio
        self.reference = reference
        self.detail = detail
    }

    public var json: JSONValue {
        var o: [(String, JSONValue)] = [("name", .string(name)), ("value", .num(value)), ("unit", .string(unit))]
        if let ratio { o.append(("ratio", .num(ratio))) }
        if let reference { o.append(("reference", .string(reference))) }
        if let detail { o.append(("detail", .string(detail))) }
        return .object(o)
    }
}

/// How a case should run.
public struct BenchmarkConfig: Sendable {
    /// Smoke mode: tiny sizes, one repetition, no warm-up (the test suite's "does it still run").
    public var smoke: Bool
    /// Timed repetitions after the warm-up.
    public var repetitions: Int
    public var warmups: Int

    public init(smoke: Bool = false, repetitions: Int = 5, warmups: Int = 1) {
        self.smoke = smoke
        self.repetitions = max(1, repetitions)
        self.warmups = max(0, warmups)
    }

    public static let smokeTest = BenchmarkConfig(smoke: true, repetitions: 1, warmups: 0)
}

/// One benchmark case: a named function producing measurements.
public struct BenchmarkCase: Sendable {
    public var name: String
    public var summary: String
    public var run: @Sendable (BenchmarkConfig) throws -> [BenchmarkMeasurement]

    public init(name: String, summary: String, run: @escaping @Sendable (BenchmarkConfig) throws -> [BenchmarkMeasurement]) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

/// Wall-clock timings of repeated runs.
public struct BenchmarkTiming: Sendable {
    public var seconds: [Double]
    public var min: Double { seconds.min() ?? 0 }
    public var median: Double {
        let s = seconds.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Runs `body` `warmups` times untimed, then `repetitions` times timed.
    public static func measure(_ config: BenchmarkConfig, _ body: () -> Void) -> BenchmarkTiming {
        for _ in 0..<config.warmups { body() }
        var out: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<config.repetitions {
            let d = clock.measure(body)
            out.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        return BenchmarkTiming(seconds: out)
    }
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
public func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

public enum BenchmarkSuite {
    /// Every case, in report order: the GPT-3 search runs first so the process is fresh for
    /// its peak-memory reading (which also resets the high-water mark before it).
    public static let all: [BenchmarkCase] = [
        PlanSearchBenchmark.gpt3Case, RooflineKernelBenchmark.case, PlanSearchBenchmark.otherCase, EstimateBenchmark.case,
        ExactSearchBenchmark.monteCarloCase, ExactSearchBenchmark.scalingCase, ExactSearchBenchmark.roadmapCase,
        InferenceSearchBenchmark.case,
        ServingSimulationBenchmark.case,
        MixedPlannerBenchmark.case,
    ]

    /// True in a debug build, whose timings mean nothing.
    public static var isDebugBuild: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    public static let debugWarning = """
        WARNING: this is a DEBUG build: its timings mean nothing (SIMD code runs 75-290x slower
        unoptimized). Run: swift run -c release chipmodel-bench

        """

    public static func renderTable(_ ms: [BenchmarkMeasurement]) -> String {
        var t = TextTable(headers: ["measurement", "value", "unit", "ratio", "reference", "detail"])
        for m in ms {
            t.add([m.name, formatQuantity(m.value), m.unit, m.ratio.map { formatFixed($0, decimals: 2) } ?? "",
                   m.reference ?? "", m.detail ?? ""])
        }
        return t.renderText()
    }

    public static func renderJSON(_ ms: [BenchmarkMeasurement], build: String) -> String {
        JSONValue.object([
            ("build", .string(build)),
            ("measurements", .array(ms.map(\.json))),
        ]).serialized(pretty: true) + "\n"
    }
}
