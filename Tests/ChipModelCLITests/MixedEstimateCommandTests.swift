import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

@Suite struct MixedEstimateCommandTests {
    static let small = ["--model", "llama3-8b", "--seq", "2048", "--batch", "32"]

    @Test func jsonHasTheDocumentedShape() throws {
        let (code, out, _) = runCLI(["estimate", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8"] + Self.small + ["--format", "json"])
        #expect(code == 0)
        let e = try #require(JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first)
        for key in ["mode", "stepTimeSeconds", "tokensPerSecond", "speedupVsBestGroupAlone", "efficiencyVsSeparateJobs",
                    "separateJobsTokensPerSecond", "fabric", "pipelines", "explanation", "power", "cost", "goodput", "modelErrorBand"] {
            #expect(e[key] != nil, "missing \(key)")
        }
        let groups = try #require(e["groups"]?.arrayValue)
        #expect(groups.count == 2)
        for g in groups {
            for key in ["chip", "count", "layers", "stages", "tp", "dp", "utilization", "memoryPerChipGB", "idleSeconds", "aloneTokensPerSecond"] {
                #expect(g[key] != nil, "missing groups[].\(key)")
            }
        }
        #expect((e["speedupVsBestGroupAlone"]?.numberValue ?? 0) >= 1 - 1e-12)
        #expect(e["power"]?["groups"]?.arrayValue?.count == 2 && (e["power"]?["clusterKW"]?.numberValue ?? 0) > 0)
        // the model's own error widens the spec range: true-value range encloses the spec corners
        let tps = try #require(e["tokensPerSecond"]?.numberValue)
        let lo = try #require(e["modelErrorBand"]?["tokensPerSecondLow"]?.numberValue), hi = try #require(e["modelErrorBand"]?["tokensPerSecondHigh"]?.numberValue)
        #expect(lo < tps && tps < hi && lo <= (e["range"]?["tokensPerSecondLow"]?.numberValue ?? tps))
    }

    /// CSV: one table (a `table` column: a row per group and one mixed row), one number per cell.
    @Test func csvHasOneNumberPerCell() throws {
        let (code, out, _) = runCLI(["estimate", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8"] + Self.small + ["--format", "csv"])
        #expect(code == 0)
        let rows = out.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(rows.first)
        #expect(rows.count == 4 && rows.allSatisfy { $0.count == header.count })
        let text: Set<String> = ["table", "chip", "recompute"]
        for r in rows.dropFirst() {
            for (h, cell) in zip(header, r) where !text.contains(h) && !cell.isEmpty {
                #expect(Double(cell)?.isFinite == true, "\(h) = '\(cell)' is not a number")
            }
        }
        #expect(rows.dropFirst().map { $0[0] } == ["group", "group", "mixed"])
    }

    /// Goodput flags apply to the mixed job; --no-goodput drops it.
    @Test func goodputFlagsApplyToTheMixedJob() throws {
        let base = ["estimate", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8"] + Self.small + ["--format", "json"]
        let (code, out, err) = runCLI(base + ["--restart-minutes", "5"])
        #expect(code == 0, "\(err)")
        let g = try #require(try JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first?["goodput"])
        #expect(g["restartSource"]?.stringValue == "--restart-minutes")
        let (c2, o2, _) = runCLI(base + ["--no-goodput"])
        let j2 = try JSONValue.parse(Array(o2.utf8))
        #expect(c2 == 0 && j2["estimates"]?.arrayValue?.first?["goodput"] == nil)
        #expect(runCLI(base + ["--no-goodput", "--mtbf-hours", "1000"]).0 == 64)
    }

    /// Power overrides apply to every group: a higher PUE raises facility power in proportion.
    @Test func powerOverridesApplyToTheMixedCluster() throws {
        func kw(_ pue: String) throws -> Double {
            let (code, out, err) = runCLI(["estimate", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8", "--pue", pue] + Self.small + ["--format", "json"])
            #expect(code == 0, "\(err)")
            return try #require(JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first?["power"]?["clusterKW"]?.numberValue)
        }
        let (a, b) = (try kw("1.1"), try kw("1.5"))
        #expect(abs(b / a - 1.5 / 1.1) < 1e-9)
        // a bad value is a usage error, as without --group
        let (code, _, err) = runCLI(["estimate", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8", "--pue", "0.5"] + Self.small)
        #expect(code == 64 && err.contains("--pue"), "\(err)")
    }

    @Test func tableExplainsTheSplit() {
        let (code, out, _) = runCLI(["estimate", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8", "--inter-group-gbps", "25",
                                     "--inter-group", "host-staged"] + Self.small)
        #expect(code == 0)
        #expect(out.contains("a100-sxm4-80gb") && out.contains("ascend-910b"))
        #expect(out.contains("x the best group alone") && out.contains("% of the separate jobs"))
        #expect(out.contains("host-staged"))
    }

    @Test(arguments: [
        ["--group", "a100-sxm4-80gb:0"], ["--group", "a100-sxm4-80gb"], ["--group", "a100-sxm4-80gb:8:x"],
        ["--group", "a100-sxm4-80gb:8", "--chips", "8"], ["--group", "a100-sxm4-80gb:8", "--pp", "2"],
        ["--group", "a100-sxm4-80gb:8", "--inter-group", "carrier-pigeon"], ["--group", "a100-sxm4-80gb:8", "--inter-group-gbps", "-1"],
        ["--group", "a100-sxm4-80gb:8", "--tp", "3"], ["--group", "no-such-chip:8"],
        // More groups than a mixed run takes (the plan space grows with their orderings).
        Array(repeating: ["--group", "a100-sxm4-80gb:8"], count: 9).flatMap { $0 },
    ])
    func badArgumentsAreUsageErrors(_ extra: [String]) {
        let (code, _, err) = runCLI(["estimate"] + extra + Self.small)
        #expect(code == 64, "\(extra): \(err)")
        #expect(err.hasPrefix("error: "))
    }
}

@Suite struct MixedWhatIfTests {
    @Test func sweepsAGroupCountAndTheFabric() throws {
        let base = ["whatif", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8"] + MixedEstimateCommandTests.small
        let (code, out, err) = runCLI(base + ["--vary", "group2.count=0,8", "--format", "json"])
        #expect(code == 0, "\(err)")
        let points = try #require(JSONValue.parse(Array(out.utf8))["points"]?.arrayValue)
        #expect(points.count == 2)
        // With the second group dropped the cluster is the first group alone.
        #expect(points[0]["groups"]?.arrayValue?.count == 1)
        let t0 = try #require(points[0]["tokensPerSecond"]?.numberValue), t1 = try #require(points[1]["tokensPerSecond"]?.numberValue)
        #expect(t1 >= t0 * (1 - 1e-12), "adding a group never lowers throughput")
        let (code2, table, _) = runCLI(base + ["--vary", "inter-group-gbps=1,100"])
        #expect(code2 == 0)
        #expect(table.contains("inter-group-gbps") && table.contains("vs separate jobs"))
    }

    @Test(arguments: [["--vary", "group3.count=8"], ["--vary", "bogus=1"], ["--vary", "group1.count=2.5"], ["--vary", "inter-group-gbps=0"],
                      [], ["--vary", "group1.count=8", "--vary", "inter-group-gbps=1"], ["--vary", "group1.count=8", "--from", "br166"]])
    func badSweepsAreUsageErrors(_ extra: [String]) {
        let (code, _, err) = runCLI(["whatif", "--group", "a100-sxm4-80gb:8", "--group", "ascend-910b:8"] + extra + MixedEstimateCommandTests.small)
        #expect(code == 64, "\(extra): \(err)")
    }
}
