import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// The server scenario's bounds from MLPerf's rules when none are given, and the interactive
/// scenario (MLPerf's -interactive variant) in the CLI and the case format.
@Suite struct ServingScenarioCLITests {
    @Test func serverBoundsFollowTheModelsMLPerfRule() throws {
        let zoo = try ModelZoo.builtIn()
        let r1 = InferenceRun(model: try zoo.model("deepseek-r1"), scenario: .server)
        let b = try #require(r1.serverBoundsMs)
        #expect(b.ttftMs == 2000 && b.tpotMs == 80 && b.rule?.benchmark == "deepseek-r1")
        // A given bound is kept; the missing one comes from the rule.
        let given = InferenceRun(model: try zoo.model("llama3.1-405b"), scenario: .server, tpotBoundMs: 50)
        #expect(given.serverBoundsMs?.ttftMs == 6000 && given.serverBoundsMs?.tpotMs == 50)
        // A model that is no MLPerf benchmark keeps the standard defaults.
        let other = InferenceRun(model: try zoo.model("qwen3-32b"), scenario: .server)
        #expect(other.serverBoundsMs?.ttftMs == StandardRunDefaults.serverTTFTBoundMs && other.serverBoundsMs?.rule == nil)
        var inter = InferenceRun(model: try zoo.model("llama2-70b"), scenario: .server)
        inter.interactive = true
        #expect(inter.serverBoundsMs?.ttftMs == 450 && inter.serverBoundsMs?.tpotMs == 40)
        #expect(inter.workload(for: ChipParameters(chip: try ChipCatalog.builtIn().chip("h100-sxm5-80gb"))).tpotBoundMs == 40)
        var none = InferenceRun(model: try zoo.model("qwen3-32b"), scenario: .server)
        none.interactive = true
        #expect(none.serverBoundsMs == nil)
    }

    @Test func interactiveScenarioInTheCLI() {
        let (code, out, _) = runCLI(["estimate", "--inference", "--model", "llama2-70b", "--chip", "h100-sxm5-80gb", "--chips", "8",
                                     "--scenario", "interactive", "--format", "json"])
        #expect(code == 0)
        #expect(out.contains("450") && out.contains("40"))
        let (bad, _, err) = runCLI(["estimate", "--inference", "--model", "qwen3-32b", "--scenario", "interactive"])
        #expect(bad == 64)
        #expect(err.contains("no MLPerf interactive rule") && err.contains("--ttft-ms"))
        let (enc, _, encErr) = runCLI(["estimate", "--inference", "--model", "resnet50-v1.5", "--scenario", "interactive"])
        #expect(enc == 64 && encErr.contains("decoder LLMs"))
    }

    @Test func interactiveScenarioInACase() throws {
        let json = """
        [{ "id": "I-1", "source": "test", "weight": 1,
           "system": { "chip": "h100-sxm5-80gb", "count": 8 },
           "workload": { "kind": "inference", "model": "llama2-70b", "precision": "fp8", "scenario": "interactive",
                         "inputTokens": 1024, "outputTokens": 256 },
           "measured": { "metric": "tokensPerSecond", "value": 1000 } },
         { "id": "I-2", "source": "test", "weight": 1,
           "system": { "chip": "h100-sxm5-80gb", "count": 8 },
           "workload": { "kind": "inference", "model": "qwen3-32b", "precision": "fp8", "scenario": "interactive",
                         "inputTokens": 1024, "outputTokens": 256 },
           "measured": { "metric": "tokensPerSecond", "value": 1000 } }]
        """
        let cases = try CaseDecoder.decode(bytes: Array(json.utf8), file: "i.json").get()
        #expect(cases[0].scenario == .server && cases[0].interactive)
        let est = InferenceCaseEstimator()
        let e = try est.estimate(cases[0], catalog: try ChipCatalog.builtIn(), zoo: try ModelZoo.builtIn())
        #expect(e.explanation.contains { $0.contains("p99 TTFT <= 450 ms, p99 TPOT <= 40 ms") })
        #expect(e.explanation.contains { $0.contains("llama2-70b-interactive") })
        #expect(throws: DoesNotFitError.self) {
            try est.estimate(cases[1], catalog: try ChipCatalog.builtIn(), zoo: try ModelZoo.builtIn())
        }
    }
}
