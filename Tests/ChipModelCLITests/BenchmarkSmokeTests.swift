import Testing
@testable import ChipModelCLI
import ChipModelBenchmarks

/// Runs every benchmark case once with tiny sizes so the benchmark cannot rot.
@Suite struct BenchmarkSmokeTests {
    @Test func everyCaseRunsOnce() throws {
        #expect(!BenchmarkSuite.all.isEmpty)
        for c in BenchmarkSuite.all {
            let ms = try c.run(.smokeTest)
            #expect(!ms.isEmpty, "\(c.name) reported nothing")
            for m in ms {
                #expect(m.value.isFinite && m.value > 0, "\(m.name)")
                #expect(m.detail?.contains("DIFFERS") != true, "\(m.name): \(m.detail ?? "")")
            }
            let json = BenchmarkSuite.renderJSON(ms, build: "test")
            #expect(json.contains("\"name\"") && json.contains("\"unit\""))
        }
    }
}
