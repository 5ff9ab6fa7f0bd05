import Testing
import ChipModelKit

/// The library example of README.md, as written there (plain `import ChipModelKit`: only the
/// public surface), so the README cannot drift from the API.
@Suite struct ReadmeExampleTests {
    @Test func libraryExampleRuns() throws {
        let chip = try ChipCatalog.builtIn().chip("br166")
        let run = TrainingRun(model: try ModelZoo.builtIn().model("llama3-70b"), chips: 1024)
        let ranged = try run.ranged(chip)                 // every spec corner with its own plan search
        let perChip = ranged.range(\.tokensPerSecondPerChip)
        #expect(ranged.nominal.plan.chips == 1024)
        #expect(perChip.low <= perChip.nominal && perChip.nominal <= perChip.high)
        #expect(perChip.high > perChip.low, "br166 has ranged specs")
    }
}
