import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// `chipmodel systems`, `chipmodel models`, `chips systems` and `chips summary`, in-process.
@Suite struct SystemsModelsCommandTests {
    @Test func systemsListsEveryBuiltInSystem() throws {
        let (code, out, err) = runCLI(["systems"])
        #expect(code == 0 && err.isEmpty)
        for id in try SystemCatalog.builtIn().ids { #expect(out.contains(id + " "), "\(id)") }
        let v5p = try #require(out.split(separator: "\n").first { $0.hasPrefix("tpu-v5p-pod-slice ") })
        #expect(v5p.contains("torus3d 8x8x16") && v5p.contains("1024") && v5p.contains("600"))
        #expect(runCLI(["chips", "systems"]).1 == out)
        #expect(runCLI(["systems", "list"]).1 == out)
    }

    @Test func systemsShowPrintsValuesSourcesAndDerivedRows() throws {
        let (code, out, _) = runCLI(["systems", "show", "cloudmatrix-384"])
        #expect(code == 0)
        for s in ["Huawei CloudMatrix 384", "total chips  384", "scaleUp.bandwidthGBps", "per direction, as stated",
                  "scaleOut.perChipGBps", "Sources:", "arxiv.org/abs/2506.12708"] {
            #expect(out.contains(s), "\(s)")
        }
        let json = try JSONValue.parse(Array(runCLI(["systems", "show", "trn2-ultraserver", "--format", "json"]).1.utf8))
        #expect(json["id"]?.stringValue == "trn2-ultraserver" && json["scaleUp"]?["topology"]?.stringValue == "torus3d")
        #expect(json["scaleUp"]?["dimensions"] == .array([.number(4), .number(4), .number(4)]) && json["totalChips"]?.numberValue == 64)
        let csv = runCLI(["systems", "--format", "csv"]).1
        #expect(csv.hasPrefix("id,name,vendor,status,chip,totalChips"))
        #expect(runCLI(["systems", "show", "dgx-h100-superpod", "--format", "csv"]).1.contains("scaleOut.nicLineRateGbps,,400,"))
    }

    @Test func unknownSystemIsAUsageErrorWithSuggestions() {
        let (code, _, err) = runCLI(["systems", "show", "cloudmatrix"])
        #expect(code == 64 && err.contains("unknown system 'cloudmatrix' (did you mean 'cloudmatrix-384'?)"))
        #expect(runCLI(["systems", "show"]).0 == 64)
        #expect(runCLI(["systems", "a", "b"]).0 == 64)
    }

    @Test func userSystemFilesAreCheckedAgainstTheChips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chipmodel-sys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = SystemSpecTestsFixture.valid
        try good.write(to: dir.appendingPathComponent("mine.json"), atomically: true, encoding: .utf8)
        let (code, out, _) = runCLI(["systems", "--systems", dir.path])
        #expect(code == 0 && out.contains("test-system "))
        try good.replacingOccurrences(of: "\"chip\": \"h100-sxm5-80gb\"", with: "\"chip\": \"h100x\"")
            .write(to: dir.appendingPathComponent("mine.json"), atomically: true, encoding: .utf8)
        let (code2, out2, err2) = runCLI(["systems", "--systems", dir.path])
        #expect(code2 == 65 && out2.isEmpty && err2.contains("mine.json: chip: unknown chip 'h100x'"), "\(err2)")
    }

    @Test func chipsSummaryCountsPartsVendorsAndConfidence() throws {
        let (code, out, _) = runCLI(["chips", "summary"])
        #expect(code == 0)
        let chips = try ChipCatalog.builtIn()
        #expect(out.hasPrefix("\(chips.chips.count) chips from "))
        for c in Confidence.allCases { #expect(out.contains(c.rawValue)) }
        let json = try JSONValue.parse(Array(runCLI(["chips", "summary", "--format", "json"]).1.utf8))
        #expect(json["parts"]?.numberValue == Double(chips.chips.count) && json["chipValues"]?["vendor-official"]?.numberValue ?? 0 > 0)
        #expect(runCLI(["chips", "summary", "extra"]).0 == 64)
    }

    @Test func chipsShowPrintsComputeUnits() {
        let out = runCLI(["chips", "show", "h100-sxm5-80gb"]).1
        #expect(out.contains("compute unit") && out.contains("computeUnits") && out.contains("boostClockMHz"))
        let json = try? JSONValue.parse(Array(runCLI(["chips", "show", "h100-sxm5-80gb", "--format", "json"]).1.utf8))
        #expect(json?["computeUnitKind"]?.stringValue == "SM" && json?["values"]?["computeUnits"]?["value"]?.numberValue == 132)
    }

    @Test func modelsListAndShow() throws {
        let (code, out, _) = runCLI(["models"])
        #expect(code == 0)
        for id in try ModelZoo.builtIn().ids { #expect(out.contains(id + " "), "\(id)") }
        let show = runCLI(["models", "show", "gpt-oss-120b"]).1
        for s in ["slidingWindow", "128", "expertsPerToken", "Source:", "arXiv 2508.10925", "paramsBillion (stated)"] {
            #expect(show.contains(s), "\(s)")
        }
        let json = try JSONValue.parse(Array(runCLI(["models", "show", "deepseek-v3", "--format", "json"]).1.utf8))
        #expect(json["kvLoraRank"]?.numberValue == 512 && json["paramsBillionStated"]?.numberValue == 671)
        #expect(runCLI(["models", "--format", "csv"]).1.hasPrefix("id,name,architecture"))
        let (bad, _, err) = runCLI(["models", "show", "llama4"])
        #expect(bad == 64 && err.contains("unknown model 'llama4'"))
    }

    @Test func outputsNeverContainNaN() {
        for args in [["systems", "--format", "json"], ["systems", "--format", "csv"], ["models", "--format", "json"], ["chips", "summary"]] {
            let tokens = Set(runCLI(args).1.lowercased().split { !$0.isLetter }.map(String.init))
            #expect(tokens.isDisjoint(with: ["nan", "inf"]), "\(args)")
        }
    }
}

/// The Kit test target's system fixture is not visible from here; a copy.
enum SystemSpecTestsFixture {
    static let valid = """
    {
      "id": "test-system", "name": "Test System", "vendor": "Test", "status": "shipping",
      "year": { "value": 2024, "source": "ds", "confidence": "vendor-official" },
      "chip": "h100-sxm5-80gb",
      "sources": { "ds": { "title": "Test" } },
      "chipsPerNode": { "value": 8, "source": "ds", "confidence": "vendor-official" },
      "nodes": { "value": 1, "source": "ds", "confidence": "vendor-official" },
      "scaleUp": { "name": "Link", "topology": "switched",
                   "domainSize": { "value": 8, "source": "ds", "confidence": "vendor-official" },
                   "bandwidthGBps": { "value": 450, "source": "ds", "confidence": "vendor-official" }, "direction": "perDirection" }
    }
    """
}
