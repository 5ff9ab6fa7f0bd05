import Testing
@testable import ChipModelKit

/// The loaders are linear in their input: doubling the input at most about doubles the work,
/// counted in the parser's and decoders' inner steps (`LoaderWorkCounter`), never timed.
/// (Issue 14: a chip spec's `sources` table with 40k entries took 5.4 s and 200k took 91 s,
/// because every key lookup scanned the whole object.)
@Suite struct LoaderComplexityTests {
    /// Work of `load(n)` and `load(2n)`, and their ratio.
    static func growth(_ n: Int, _ load: (Int) -> Void) -> (small: Int, large: Int, ratio: Double) {
        func count(_ size: Int) -> Int {
            let counter = LoaderWorkCounter()
            LoaderWorkCounter.$current.withValue(counter) { load(size) }
            return counter.total
        }
        let small = count(n), large = count(2 * n)
        return (small, large, Double(large) / Double(max(1, small)))
    }

    /// The built-in H100 spec with `n` extra entries in its `sources` table.
    static func chipSpec(extraSources n: Int) -> [UInt8] {
        let text = EmbeddedSpecs.chips.first { $0.file.hasSuffix("h100-sxm5-80gb.json") }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
        guard let open = text.range(of: "\"sources\": {") else { return [] }
        var extra = ""
        for i in 0..<n { extra += "\"s\(i)\": {\"title\": \"source number \(i)\", \"url\": \"https://example.com/\(i)\"}, " }
        return Array((text[..<open.upperBound] + extra + text[open.upperBound...]).utf8)
    }

    @Test func chipSpecSourcesAreLinear() {
        #expect(!Self.chipSpec(extraSources: 1).isEmpty, "the H100 spec has a sources table")
        let g = Self.growth(4_000) { n in
            if case let .failure(e) = ChipSpecDecoder.decode(bytes: Self.chipSpec(extraSources: n), file: "big.json") {
                Issue.record("the spec should load: \(e)")
            }
        }
        #expect(g.small > 4_000, "the counter counts the work (\(g.small) steps)")
        #expect(g.ratio < 2.2, "doubling the sources table: \(g.small) -> \(g.large) steps (x\(g.ratio))")
    }

    /// A spec with thousands of unknown keys: every one is reported (up to the problem limit),
    /// with suggestions for the first ones, still in linear work.
    @Test func unknownKeysAreLinear() {
        let g = Self.growth(3_000) { n in
            var text = String(decoding: Self.chipSpec(extraSources: 0), as: UTF8.self)
            let keys = (0..<n).map { "\"unknownKey\($0)\": 1" }.joined(separator: ", ")
            guard let brace = text.firstIndex(of: "{") else { return }
            text.replaceSubrange(brace...brace, with: "{" + keys + ", ")
            if case .success = ChipSpecDecoder.decode(bytes: Array(text.utf8), file: "unknown.json") {
                Issue.record("unknown keys must be reported")
            }
        }
        #expect(g.ratio < 2.2, "doubling the unknown keys: \(g.small) -> \(g.large) steps (x\(g.ratio))")
    }

    @Test func caseFilesAreLinear() {
        let one = #"{"id": "C-ID", "source": "s", "weight": 1, "system": {"chip": "h100-sxm5-80gb", "count": 8}, "workload": {"kind": "inference", "model": "llama3-8b", "precision": "fp8", "scenario": "offline", "inputTokens": 128, "outputTokens": 128}, "measured": {"metric": "tokensPerSecond", "value": 1000}}"#
        let g = Self.growth(2_000) { n in
            let text = "[" + (0..<n).map { one.replacingOccurrences(of: "C-ID", with: "C-\($0)") }.joined(separator: ",\n") + "]"
            if case let .failure(e) = CaseDecoder.decode(bytes: Array(text.utf8), file: "cases.json") {
                Issue.record("the cases should load: \(e.problems.first.map(\.description) ?? "")")
            }
        }
        #expect(g.ratio < 2.2, "doubling the cases: \(g.small) -> \(g.large) steps (x\(g.ratio))")
    }

    @Test func jsonParserIsLinear() throws {
        // One wide object, one long array of strings with escapes, one long string.
        let g = Self.growth(20_000) { n in
            let object = "{" + (0..<n).map { "\"k\($0)\": [\($0), \"v\\n\\u00e9\"]" }.joined(separator: ",") + "}"
            let string = "[\"" + String(repeating: "ab\\\"", count: n) + "\"]"
            _ = try? JSONValue.parse(object)
            _ = try? JSONValue.parse(string)
        }
        #expect(g.ratio < 2.2, "doubling the JSON: \(g.small) -> \(g.large) steps (x\(g.ratio))")
        #expect(g.ratio > 1.8, "the count grows with the input")
    }
}
