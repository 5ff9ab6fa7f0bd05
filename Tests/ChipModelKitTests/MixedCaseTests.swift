import Testing
@testable import ChipModelKit

@Suite struct MixedCaseTests {
    static let json = """
    [{"id": "MIX-1", "source": "format check, not a measurement", "weight": 0,
      "system": {"groups": [{"chip": "a100-sxm4-80gb", "count": 8}, {"chip": "ascend-910b", "count": 8, "scaleUpDomain": 8}],
                 "interGroup": {"bandwidthGBps": 25, "latencyUs": 10, "transport": "host-staged"}},
      "workload": {"kind": "training", "model": "llama3-8b", "precision": "bf16", "sequenceLength": 2048, "globalBatch": 32},
      "measured": {"metric": "tokensPerSecondPerChip", "value": 3000}}]
    """

    /// `system.groups` decodes into the case and the validator estimates it with the mixed planner.
    @Test func groupsCaseDecodesAndIsEstimated() throws {
        let cases = try CaseDecoder.decode(bytes: Array(Self.json.utf8), file: "mix.json").get()
        let c = try #require(cases.first)
        #expect(c.groups == [CaseGroup(chip: "a100-sxm4-80gb", count: 8, scaleUpDomain: nil),
                             CaseGroup(chip: "ascend-910b", count: 8, scaleUpDomain: 8)])
        #expect(c.chipCount == 16 && c.interGroup == InterGroupFabric(bandwidthGBps: 25, latencyUs: 10, transport: .hostStaged))
        let r = Validator(estimators: ValidationEstimators.default, catalog: try ChipCatalog.builtIn(), zoo: try ModelZoo.builtIn()).run(c)
        let e = try #require(r.estimate, "\(r.failure ?? "")")
        let direct = try MixedTrainingEstimator.estimate(
            groups: [MixedGroupSpec(chip: try ChipCatalog.builtIn().chip("a100-sxm4-80gb"), count: 8),
                     MixedGroupSpec(chip: try ChipCatalog.builtIn().chip("ascend-910b"), count: 8, scaleUpDomain: 8)],
            fabric: InterGroupFabric(bandwidthGBps: 25, latencyUs: 10, transport: .hostStaged),
            workload: TrainingWorkload(model: try ModelZoo.builtIn().model("llama3-8b"), sequenceLength: 2048, globalBatch: 32, precision: .bf16))
        #expect(e.value == direct.tokensPerSecond / 16)
    }

    /// Bad groups are reported with their key path.
    @Test func badGroupsNameTheKey() {
        let bad = Self.json.replacingOccurrences(of: "\"count\": 8}, {", with: "\"count\": 0}, {")
        guard case let .failure(e) = CaseDecoder.decode(bytes: Array(bad.utf8), file: "mix.json") else {
            Issue.record("a group of 0 chips decoded")
            return
        }
        #expect(e.description.contains("system.groups[0].count"))
    }
}
