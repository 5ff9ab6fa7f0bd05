// chipmodel-bench: the release benchmark (issue 8).
//
//   swift run -c release chipmodel-bench [--format table|json] [--reps N] [--case NAME]
//
// The cases live in ChipModelCLI/Benchmarking (so the test suite can smoke-run them); this
// file only parses arguments and prints. See README "Benchmark" for the build flags.
import ChipModelBenchmarks
import ChipModelKit
import Foundation

var format = "table"
var reps = 5
var only: String?
var args = Array(CommandLine.arguments.dropFirst())
func fail(_ msg: String) -> Never {
    FileHandle.standardError.write(Data("error: \(msg)\nusage: chipmodel-bench [--format table|json] [--reps N] [--case NAME]\n".utf8))
    exit(64)
}
while !args.isEmpty {
    let a = args.removeFirst()
    func value() -> String {
        if args.isEmpty { fail("missing value for '\(a)'") }
        return args.removeFirst()
    }
    switch a {
    case "--format":
        format = value()
        if format != "table" && format != "json" { fail("invalid value '\(format)' for --format; expected table or json") }
    case "--reps":
        let v = value()
        guard let n = Int(v), (1...1000).contains(n) else { fail("--reps expects a whole number in 1...1000, got '\(v)'") }
        reps = n
    case "--case":
        only = value()
    case "--help", "-h":
        print("usage: chipmodel-bench [--format table|json] [--reps N] [--case NAME]")
        print("cases: " + BenchmarkSuite.all.map(\.name).joined(separator: ", "))
        exit(0)
    default: fail("unknown argument '\(a)'")
    }
}
if BenchmarkSuite.isDebugBuild { FileHandle.standardError.write(Data(BenchmarkSuite.debugWarning.utf8)) }
let cases = BenchmarkSuite.all.filter { only == nil || $0.name == only }
if cases.isEmpty { fail("unknown case '\(only ?? "")'; cases: " + BenchmarkSuite.all.map(\.name).joined(separator: ", ")) }
let config = BenchmarkConfig(repetitions: reps, warmups: 1)
var all: [BenchmarkMeasurement] = []
for c in cases {
    if format == "table" { FileHandle.standardError.write(Data("running \(c.name): \(c.summary)\n".utf8)) }
    do { all += try c.run(config) } catch { fail("\(c.name): \(error)") }
}
let build = BenchmarkSuite.isDebugBuild ? "debug (timings meaningless)" : "release"
print(format == "json" ? BenchmarkSuite.renderJSON(all, build: build) : BenchmarkSuite.renderTable(all), terminator: "")
