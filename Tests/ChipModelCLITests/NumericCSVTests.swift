import Foundation
import Testing
@testable import ChipModelCLI

/// Every CSV chipmodel writes has one value per cell: each column that is not a named text
/// column parses as a number (or is empty), and every row has the header's width.
@Suite struct NumericCSVTests {
    /// RFC 4180 fields: quoted fields may hold commas, quotes ("") and line breaks.
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = iterator.next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    static let textColumns: Set<String> = [
        "table", "chip", "precision", "gemm_precision", "kv_precision", "default_precision", "plan", "attention", "bound", "error",
        "part", "status", "from_part", "workload", "attribution", "case", "kind", "model", "metric", "failure",
    ]

    /// The problems of one CSV document (empty when it is numeric where it should be).
    static func problems(_ csv: String) -> [String] {
        let rows = parse(csv)
        guard let header = rows.first else { return ["no header"] }
        var out: [String] = []
        for (i, row) in rows.dropFirst().enumerated() {
            if row.count != header.count { out.append("row \(i + 1): \(row.count) cells, header has \(header.count)") }
            for (name, cell) in zip(header, row) where !textColumns.contains(name) && !name.hasSuffix("_like_for_like") {
                if !cell.isEmpty, Double(cell) == nil { out.append("row \(i + 1) \(name): '\(cell)' is not a number") }
            }
        }
        return out
    }

    @Test func parserReadsQuotedFields() {
        #expect(Self.parse("a,b\n\"x, \"\"y\"\"\",2\n") == [["a", "b"], ["x, \"y\"", "2"]])
    }

    @Test func estimateCSVsAreNumeric() throws {
        let runs: [[String]] = [
            ["estimate", "--chip", "br166", "--chip", "a100-sxm4-80gb", "--model", "llama3-8b", "--chips", "64", "--tp", "8", "--pp", "1",
             "--baseline", "br166"],
            ["estimate", "--chip", "br166", "--model", "llama3-8b", "--chips", "16", "--tp", "8", "--pp", "1", "--scaling"],
            ["estimate", "--chip", "a100-sxm4-80gb", "--chips", "8", "--model", "gpt3-175b", "--tp", "1", "--pp", "1"],
            ["estimate", "--inference", "--chip", "br20x", "--chip", "h100-sxm5-80gb", "--model", "llama3-8b", "--chips", "1",
             "--baseline", "h100-sxm5-80gb"],
            ["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--model", "resnet50-v1.5", "--chips", "1"],
        ]
        for args in runs {
            let (code, out, _) = ComparisonTablesTests.run(args + ["--format", "csv"])
            #expect(code == 0, "\(args)")
            #expect(Self.problems(out) == [], "\(args)")
        }
        let (_, csv, _) = ComparisonTablesTests.run(runs[0] + ["--format", "csv"])
        let header = try #require(Self.parse(csv).first)
        for column in ["step_s_low", "step_s_high", "tokens_per_s_per_chip_model_error_low", "mfu_percent", "x_vs_br166"] {
            #expect(header.contains(column), "\(column)")
        }
        let br166 = try #require(Self.parse(csv).dropFirst().first)
        let low = try #require(Double(br166[header.firstIndex(of: "tokens_per_s_per_chip_low")!]))
        let high = try #require(Double(br166[header.firstIndex(of: "tokens_per_s_per_chip_high")!]))
        #expect(low < high)  // BR166 has estimated specs: a real range
        let (_, scaling, _) = ComparisonTablesTests.run(runs[1] + ["--format", "csv"])
        #expect(Self.parse(scaling).filter { $0.first == "scaling" }.count >= 2)
    }

    @Test func roadmapIsOneNumericTable() {
        let (code, out, _) = ComparisonTablesTests.run(["roadmap", "biren", "--roofline", "--format", "csv"])
        #expect(code == 0 && !out.contains("\n\n"))
        #expect(Self.problems(out) == [])
        let kinds = Set(Self.parse(out).dropFirst().compactMap(\.first))
        #expect(kinds == ["part", "attribution"])
    }

    @Test func validateCSVAndExplainAreNumeric() throws {
        let cases = ["validate", "--cases", "Benchmarks/calibration-cases.json"]
        let (code, explain, _) = ComparisonTablesTests.run(cases + ["--explain", "TRN-KOR22-04", "--format", "csv"])
        #expect(code == 0)
        let rows = Self.parse(explain)
        #expect(rows.first == ["key", "value"] && rows.allSatisfy { $0.count == 2 })
        for key in ["weight", "chips", "measured", "estimate", "error_percent"] {
            let row = try #require(rows.first { $0[0] == key }, "\(key)")
            #expect(Double(row[1]) != nil, "\(key)")
        }
        #expect(!explain.contains("days for"))
        let (c2, table, _) = ComparisonTablesTests.run(cases + ["--kind", "inference", "--format", "csv"])
        #expect(c2 == 0 && Self.problems(table) == [])
    }
}
