import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// `chipmodel chips`, run in-process.
@Suite struct ChipsCommandTests {
    static func tempDir(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("chipmodel-chips-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir.path
    }

    @Test func listShowsEveryChipWithHeadersAndLegend() throws {
        let (code, out, err) = runCLI(["chips"])
        #expect(code == 0 && err.isEmpty)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("id") && lines[0].contains("bf16 dense TFLOPS") && lines[0].contains("scale-up GB/s/dir"))
        let catalog = try ChipCatalog.builtIn()
        for id in catalog.ids { #expect(lines.contains { $0.hasPrefix(id + " ") }, "\(id) missing") }
        #expect(out.contains("~ = estimated"))
        // H100: 989 BF16, 1979 FP8, 80 GB, 3.35 TB/s, 450 GB/s per direction.
        let h100 = try #require(lines.first { $0.hasPrefix("h100-sxm5-80gb ") })
        for s in ["NVIDIA", "2022", "shipping", "989", "1979", "80", "3.35", "450"] { #expect(h100.contains(s), "\(s)") }
        // Estimates are marked and show their range.
        let br166 = try #require(lines.first { $0.hasPrefix("br166 ") })
        #expect(br166.contains("~1024 (678-1120)"))
        #expect(runCLI(["chips", "list"]).1 == out)
    }

    @Test func showPrintsEveryFieldWithSourceConfidenceAndDerivedDirection() {
        let (code, out, _) = runCLI(["chips", "show", "br166"])
        #expect(code == 0)
        #expect(out.contains("Biren BR166"))
        #expect(out.contains("d2d.bandwidthGBps") && out.contains("bidirectional, as stated") && out.contains("per direction, derived"))
        #expect(out.contains(" 896 ") && out.contains(" 448 "))
        #expect(out.contains("678-1120"), "ranges print as low-high")
        #expect(out.contains("estimated") && out.contains("press/analyst"))
        #expect(out.contains("Sources:") && out.contains("[ipo]") && out.contains("[cctv]"))
        #expect(out.contains("Notes:") && out.contains("CCTV per-card"))
        // `chips ID` is short for `chips show ID`.
        #expect(runCLI(["chips", "br166"]).1 == out)
    }

    @Test func showDerivesBidirectionalFromPerDirection() {
        let (_, out, _) = runCLI(["chips", "show", "gaudi3"])
        let lines = out.split(separator: "\n").filter { $0.hasPrefix("scaleUp.bandwidthGBps") }
        #expect(lines.count == 2)
        #expect(lines.first?.contains("525") == true && lines.first?.contains("per direction, as stated") == true)
        #expect(lines.last?.contains("1050") == true && lines.last?.contains("bidirectional, derived") == true)
    }

    @Test func compareLinesChipsUpSideBySide() {
        let (code, out, _) = runCLI(["chips", "compare", "a100-sxm4-80gb", "br166", "h100-sxm5-80gb"])
        #expect(code == 0)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("a100-sxm4-80gb") && lines[0].contains("br166") && lines[0].contains("h100-sxm5-80gb"))
        let bf16 = lines.first { $0.hasPrefix("bf16DenseTflops ") } ?? ""
        #expect(bf16.contains("312") && bf16.contains("~1024 (678-1120)") && bf16.contains("989"))
        let up = lines.first { $0.hasPrefix("scaleUp.perDirectionGBps ") } ?? ""
        #expect(up.contains("300") && up.contains("450"))
        let d2d = lines.first { $0.hasPrefix("d2d.perDirectionGBps ") } ?? ""
        #expect(d2d.contains("448") && d2d.contains("-"))
    }

    @Test func jsonListsEveryChipAndEveryValueWithProvenance() throws {
        let (code, out, _) = runCLI(["chips", "--format", "json"])
        #expect(code == 0)
        let json = try JSONValue.parse(out)
        let chips = try #require(json["chips"]?.arrayValue)
        #expect(chips.count == CatalogSpecTestsIDs.count)
        #expect(Set(chips.compactMap { $0["id"]?.stringValue }) == CatalogSpecTestsIDs)
        for chip in chips {
            let values = try #require(chip["values"]?.objectMembers)
            #expect(!values.isEmpty)
            for (key, v) in values {
                #expect(v["value"]?.numberValue != nil, "\(key)")
                #expect(v["low"] != nil && v["high"] != nil, "\(key): low/high always present (null without a range)")
                #expect(v["confidence"]?.stringValue != nil && v["source"]?.stringValue != nil, "\(key)")
                if v["confidence"]?.stringValue == "estimated" { #expect(v["low"]?.numberValue != nil && v["high"]?.numberValue != nil) }
            }
        }
        let br166 = try #require(chips.first { $0["id"]?.stringValue == "br166" })
        #expect(br166["links"]?["d2d"]?["perDirectionGBps"]?["value"]?.numberValue == 448)
        #expect(br166["values"]?["bf16DenseTflops"]?["low"]?.numberValue == 678)
        // show and compare JSON too.
        let show = try JSONValue.parse(runCLI(["chips", "show", "mi300x", "--format", "json"]).1)
        #expect(show["id"]?.stringValue == "mi300x")
        let cmp = try JSONValue.parse(runCLI(["chips", "compare", "mi300x", "h20", "--format", "json"]).1)
        #expect(cmp["chips"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["mi300x", "h20"])
    }

    @Test func csvHasOneRowPerChipOrField() throws {
        let (code, out, _) = runCLI(["chips", "--format", "csv"])
        #expect(code == 0)
        let lines = out.split(separator: "\n")
        #expect(lines.count == CatalogSpecTestsIDs.count + 1)
        #expect(lines[0].hasPrefix("id,name,vendor,family,status,year,bf16DenseTflops,bf16DenseTflopsLow,bf16DenseTflopsHigh"))
        let (_, show, _) = runCLI(["chips", "show", "h100-sxm5-80gb", "--format", "csv"])
        #expect(show.hasPrefix("field,direction,value,low,high,confidence,sourceKey,source,url,note\n"))
        #expect(show.contains("scaleUp.bandwidthGBps,\"bidirectional, as stated\",900,"))
        #expect(show.contains("scaleUp.bandwidthGBps,\"per direction, derived\",450,"))
        let (_, cmp, _) = runCLI(["chips", "compare", "h100-sxm5-80gb", "h20", "--format", "csv"])
        #expect(cmp.hasPrefix("field,h100-sxm5-80gb,h100-sxm5-80gb:low,h100-sxm5-80gb:high,h100-sxm5-80gb:confidence,h20,"))
    }

    @Test func unknownChipSuggestsNearestIDsAndExits64() {
        let (code, out, err) = runCLI(["chips", "show", "h100"])
        #expect(code == 64 && out.isEmpty)
        #expect(err.hasPrefix("error: unknown chip 'h100' (did you mean"))
        #expect(err.contains("'h100-sxm5-80gb'") && err.contains("'h100-pcie-80gb'"))
        let (code2, _, err2) = runCLI(["chips", "compare", "br166", "br16x"])
        #expect(code2 == 64 && err2.contains("unknown chip 'br16x'") && err2.contains("'br166'"))
    }

    @Test func usageErrors() {
        let (c1, _, e1) = runCLI(["chips", "show"])
        #expect(c1 == 64 && e1.contains("error: 'chips show' needs a chip id") && e1.contains("usage: chipmodel chips"))
        let (c2, _, e2) = runCLI(["chips", "compare", "br166"])
        #expect(c2 == 64 && e2.contains("'chips compare' needs at least two chip ids"))
        let (c3, _, e3) = runCLI(["chips", "shwo", "br166", "br104"])
        #expect(c3 == 64 && e3.contains("unknown subcommand 'shwo'") && e3.contains("(did you mean 'show'?)"))
        let (c4, _, e4) = runCLI(["chips", "--fromat", "json"])
        #expect(c4 == 64 && e4.contains("unknown option '--fromat' (did you mean '--format'?)"))
    }

    @Test func helpHasExamples() {
        let (code, out, _) = runCLI(["chips", "--help"])
        #expect(code == 0)
        #expect(out.contains("USAGE: chipmodel chips [list | show ID | compare ID ID ...]"))
        #expect(out.contains("EXAMPLES:") && out.contains("chipmodel chips show br166") && out.contains("chipmodel chips compare"))
        #expect(out.contains("--specs <DIR>") && out.contains("--format <table|json|csv>"))
        #expect(runCLI(["help", "chips"]).1 == out && runCLI(["chips", "-h"]).1 == out)
    }

    @Test func specsDirectoryOverridesAndSaysSo() throws {
        let mine = CatalogSpecTests.valid.replacingOccurrences(of: "\"id\": \"test-chip\"", with: "\"id\": \"a100-sxm4-80gb\"")
        let dir = try Self.tempDir(["a100.json": mine, "new.json": CatalogSpecTests.valid])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (code, out, err) = runCLI(["chips", "show", "a100-sxm4-80gb", "--specs", dir])
        #expect(code == 0)
        #expect(err.contains("note: \(dir)/a100.json: chip 'a100-sxm4-80gb' overrides the built-in spec"))
        #expect(out.contains("Test Chip"))
        let (_, list, _) = runCLI(["chips", "--specs", dir])
        #expect(list.contains("test-chip "))
    }

    @Test func badSpecsDirectoryReportsEveryProblemAndExits65() throws {
        let bad = CatalogSpecTests.valid
            .replacingOccurrences(of: "\"value\": 400", with: "\"value\": 150")
            .replacingOccurrences(of: "\"vendor\": \"Test\",", with: "")
        let dir = try Self.tempDir(["bad.json": bad])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (code, out, err) = runCLI(["chips", "--specs", dir])
        #expect(code == 65 && out.isEmpty)
        #expect(err.contains("error: \(dir)/bad.json: vendor: required key is missing\n"))
        #expect(err.contains("error: \(dir)/bad.json: bf16SparseTflops: sparse peak 150 is below the dense peak 200\n"))
        let (code2, _, err2) = runCLI(["chips", "--specs", dir + "/nope"])
        #expect(code2 == 66 && err2.contains("no such directory"))
    }

    @Test func outputNeverContainsNaN() {
        for args in [["chips"], ["chips", "--format", "json"], ["chips", "--format", "csv"], ["chips", "compare", "br20x", "tpu-v5p", "mtt-s80"]] {
            let (code, out, _) = runCLI(args)
            #expect(code == 0, "\(args): exit \(code)")
            #expect(!out.isEmpty, "\(args): no output")
            let tokens = Set(out.lowercased().split { !$0.isLetter }.map(String.init))
            #expect(tokens.isDisjoint(with: ["nan", "inf"]), "\(args)")
        }
    }
}

/// The expected id set, shared with the Kit tests' list.
let CatalogSpecTestsIDs: Set<String> = [
    "br100", "br104", "br106", "br166", "br110", "br20x", "br30x", "br31x",
    "a100-sxm4-40gb", "a100-sxm4-80gb", "a100-pcie-80gb", "h100-sxm5-80gb", "h100-pcie-80gb", "h800-sxm5-80gb",
    "h20", "h200-sxm-141gb", "b200-sxm-180gb", "gb200-nvl72", "rtx-pro-6000-server",
    "mi250x", "mi300x", "mi325x", "mi355x", "tpu-v4", "tpu-v5p", "gaudi2", "gaudi3",
    "ascend-910b", "ascend-910c", "mtt-s80", "mtt-s4000", "mtt-s5000", "metax-c500", "metax-c600",
    "iluvatar-bi-v150", "iluvatar-mr-v100", "enflame-s60", "cambricon-mlu370-x8", "cambricon-mlu590",
    "kunlunxin-p800", "hygon-k100",
    // Added by the catalog work (issue 15).
    "br106c", "br166l", "br166c", "a800-sxm4-80gb", "h200-nvl", "l40s", "l20", "b300-sxm-288gb", "gb300-nvl72", "rubin",
    "tpu-v5e", "tpu-v6e", "tpu7x", "trainium2", "trainium3", "mi350x", "mi455x", "ascend-910b4", "ascend-950pr",
    "ascend-950dt", "ascend-960", "ascend-970", "thead-ppu", "hygon-bw1000", "gaudi3-hl328", "gaudi3-hl388",
]

/// A copy of the valid fixture (the Kit test target is not visible from here).
enum CatalogSpecTests {
    static let valid = """
    {
      "id": "test-chip",
      "name": "Test Chip",
      "vendor": "Test",
      "family": "test",
      "status": "shipping",
      "year": { "value": 2024, "source": "ds", "confidence": "vendor-official" },
      "formFactors": ["PCIe"],
      "sources": { "ds": { "title": "Test datasheet" } },
      "dies": { "computeDies": { "value": 1, "source": "ds", "confidence": "vendor-official" } },
      "bf16DenseTflops": { "value": 200, "source": "ds", "confidence": "vendor-official" },
      "bf16SparseTflops": { "value": 400, "source": "ds", "confidence": "vendor-official" },
      "memory": {
        "capacityGB": { "value": 64, "source": "ds", "confidence": "vendor-official" },
        "bandwidthGBps": { "value": 1000, "source": "ds", "confidence": "vendor-official" }
      }
    }
    """
}
