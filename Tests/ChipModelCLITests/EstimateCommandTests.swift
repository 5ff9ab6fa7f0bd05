import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

@Suite struct EstimateCommandTests {
    @Test func defaultComparesTheDefaultChips() {
        let (code, out, _) = runCLI(["estimate"])
        #expect(code == 0)
        // Every default chip has a row and a search note; none is skipped.
        for id in StandardRunDefaults.trainingChipIDs {
            #expect(out.split(separator: "\n").contains { $0.hasPrefix(id + " ") }, "no row for \(id)")
            #expect(out.contains("of 819216 candidates evaluated") && out.contains("\(id): "), "no search note for \(id)")
        }
        #expect(out.contains("Llama 3 70B on 1024 chips"))
        #expect(!out.contains("not in the catalog"))
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let (code, out, _) = runCLI(["estimate", "--chip", "a100-sxm4-80gb", "--chips", "16", "--model", "llama2-7b",
                                     "--seq", "2048", "--batch", "64", "--tp", "2", "--format", "json"])
        #expect(code == 0)
        let json = try JSONValue.parse(Array(out.utf8))
        let e = try #require(json["estimates"]?.arrayValue?.first)
        for key in ["chip", "chips", "model", "plan", "stepTimeSeconds", "tokensPerSecondPerChip", "mfu", "memoryPerChipGB",
                    "breakdown", "candidatesEvaluated", "searchSeconds"] {
            #expect(e[key] != nil, "missing \(key)")
        }
        let plan = try #require(e["plan"])
        for key in ["tp", "pp", "dp", "cp", "ep", "microBatch", "virtualStages", "recompute", "zeroStage", "sequenceParallel"] {
            #expect(plan[key] != nil, "missing plan.\(key)")
        }
        #expect(plan["tp"]?.numberValue == 2)
    }

    @Test func scalingTableAndTopPlans() throws {
        let (code, out, _) = runCLI(["estimate", "--chip", "h100-sxm5-80gb", "--chips", "16", "--model", "llama2-7b",
                                     "--seq", "2048", "--batch", "64", "--scaling", "--top", "3", "--format", "json"])
        #expect(code == 0)
        let e = try #require(JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first)
        let rows = try #require(e["scaling"]?.arrayValue)
        #expect(rows.map { $0["chips"]?.numberValue } == [8, 16])
        #expect(rows.first?["scalingEfficiency"]?.numberValue == 1)
        #expect((e["top"]?.arrayValue?.count ?? 0) >= 3)
        let (code2, text, _) = runCLI(["estimate", "--chip", "h100-sxm5-80gb", "--chips", "16", "--model", "llama2-7b",
                                       "--seq", "2048", "--batch", "64", "--scaling", "--top", "3"])
        #expect(code2 == 0 && text.contains("top 3 plans on h100-sxm5-80gb") && text.contains("scaling on h100-sxm5-80gb"))
    }

    @Test func degreesThatDoNotDivideAreUsageErrors() {
        let (code, _, err) = runCLI(["estimate", "--chip", "a100-sxm4-80gb", "--chips", "64", "--tp", "3"])
        #expect(code == 64)
        #expect(err.contains("--tp 3 does not divide the chip count 64"))
        let (code2, _, err2) = runCLI(["estimate", "--chip", "nope-chip"])
        #expect(code2 == 64 && err2.contains("unknown chip 'nope-chip'"))
        let (code3, _, err3) = runCLI(["estimate", "--recompute", "some"])
        #expect(code3 == 64 && err3.contains("invalid value 'some' for --recompute"))
    }

    @Test func planThatDoesNotFitIsAnAnswer() {
        let (code, out, _) = runCLI(["estimate", "--chip", "a100-sxm4-80gb", "--chips", "8", "--model", "gpt3-175b",
                                     "--seq", "2048", "--batch", "8", "--tp", "8"])
        #expect(code == 0)
        #expect(out.contains("does not fit"))
        #expect(out.contains("GB per chip") && out.contains("usable"))
    }
}
