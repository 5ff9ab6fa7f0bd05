import Foundation
import Testing
@testable import ChipModelKit

/// The model zoo (Specs/models/*.json) and the fields added for issue 15.
@Suite struct ModelZooTests {
    static let expectedIDs: Set<String> = [
        "bert-large", "deepseek-v3", "gpt3-175b", "llama2-13b", "llama2-70b", "llama2-7b", "llama3-70b", "llama3-8b",
        "llama3.1-405b", "mixtral-8x7b", "nemotron-4-340b", "qwen3-235b-a22b", "resnet50-v1.5",
        // Added (issue 15).
        "llama3.1-8b", "llama3.1-70b", "llama4-scout", "llama4-maverick", "qwen3-32b", "qwen3-30b-a3b", "deepseek-v3.1",
        "deepseek-r1", "kimi-k2", "gpt-oss-120b", "pangu-ultra-moe", "mixtral-8x22b",
    ]

    @Test func zooHasExactlyTheExpectedModels() throws {
        let zoo = try ModelZoo.builtIn()
        #expect(Set(zoo.ids) == Self.expectedIDs && zoo.ids.count == Self.expectedIDs.count)
        for m in zoo.models { #expect(m.source?.isEmpty == false, "\(m.id): no source") }
    }

    /// A transcription check: the parameter count computed from each shape must match the
    /// count its publisher states (biases, norms and MTP modules are left out of the shape).
    @Test func computedParameterCountsMatchTheStatedOnes() throws {
        for m in try ModelZoo.builtIn().models {
            guard let stated = m.statedParamsBillion else { continue }
            let total = m.totalParams / 1e9
            #expect(abs(total / stated - 1) < 0.05, "\(m.id): computed \(total)B vs stated \(stated)B")
            if let active = m.statedActiveParamsBillion {
                // Publishers differ on counting embeddings as active; 15% covers that.
                #expect(abs(m.activeParams / 1e9 / active - 1) < 0.15, "\(m.id): active \(m.activeParams / 1e9)B vs \(active)B")
            }
        }
    }

    @Test func newShapesCarryTheirDistinctiveFields() throws {
        let zoo = try ModelZoo.builtIn()
        let oss = try zoo.model("gpt-oss-120b")
        #expect(oss.slidingWindow == 128 && oss.slidingWindowLayers == 18 && oss.expertsPerToken == 4 && oss.headDim == 64)
        let mav = try zoo.model("llama4-maverick")
        #expect(mav.denseLayers == 24 && mav.moeLayers == 24 && mav.sharedExperts == 1 && mav.notes.contains { $0.contains("alternate") })
        let k2 = try zoo.model("kimi-k2")
        #expect(k2.attention == .mla && k2.experts == 384 && k2.denseLayers == 1 && k2.heads == 64)
        #expect(try zoo.model("deepseek-r1").totalParams == zoo.model("deepseek-v3").totalParams)
    }

    static func problems(_ text: String) -> [String] {
        switch ModelDecoder.decode(bytes: Array(text.utf8), file: "m.json") {
        case .success: return []
        case let .failure(e): return e.problems.map(\.description)
        }
    }

    static let base = """
    { "id": "t", "name": "T", "architecture": "llama", "layers": 4, "hidden": 256, "heads": 4, "ffnHidden": 512, "vocab": 1000,
      "source": "test", "slidingWindow": 128, "slidingWindowLayers": 2, "paramsBillion": 2, "activeParamsBillion": 1, "notes": ["x"] }
    """

    @Test func windowAndStatedCountsAreValidated() throws {
        #expect(Self.problems(Self.base).isEmpty)
        let m = try ModelDecoder.decode(bytes: Array(Self.base.utf8), file: "m.json").get()
        #expect(m.slidingWindow == 128 && m.slidingWindowLayers == 2 && m.statedParamsBillion == 2 && m.notes == ["x"])
        #expect(Self.problems(Self.base.replacingOccurrences(of: "\"slidingWindowLayers\": 2", with: "\"slidingWindowLayers\": 5"))
            .contains("m.json: slidingWindowLayers: exceeds layers (4)"))
        #expect(Self.problems(Self.base.replacingOccurrences(of: "\"slidingWindow\": 128, ", with: ""))
            .contains("m.json: slidingWindow: give slidingWindow and slidingWindowLayers together"))
        #expect(Self.problems(Self.base.replacingOccurrences(of: "\"activeParamsBillion\": 1", with: "\"activeParamsBillion\": 3"))
            .contains("m.json: activeParamsBillion: exceeds paramsBillion (2)"))
        #expect(Self.problems(Self.base.replacingOccurrences(of: "\"paramsBillion\": 2", with: "\"paramsBillion\": -2"))
            .contains("m.json: paramsBillion: must be positive, found -2"))
        #expect(Self.problems(Self.base.replacingOccurrences(of: "\"notes\": [\"x\"]", with: "\"notes\": \"x\""))
            .contains("m.json: notes: expected an array, found a string"))
    }
}
