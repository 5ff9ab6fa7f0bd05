import Testing
@testable import ChipModelKit

@Suite struct CatalogTests {
    @Test func builtInCatalogLoads() throws {
        let catalog = try ChipCatalog.builtIn()
        #expect(catalog.chips.count >= 3)
        #expect(Set(catalog.ids).count == catalog.ids.count)
    }

    @Test func builtInModelZooLoads() throws {
        let zoo = try ModelZoo.builtIn()
        #expect(zoo.ids.contains("gpt3-175b"))
        #expect(zoo.ids.contains("resnet50-v1.5"))
    }

    @Test func br166IsTwoDiesWith896GBpsBidirectionalD2D() throws {
        let br166 = try ChipCatalog.builtIn().chip("br166")
        #expect(br166.dies.computeDieCount == 2)
        #expect(br166.memory.stacks?.nominal == 4)
        #expect(br166.formFactors.contains("OAM") && br166.formFactors.contains("PCIe"))
        let d2d = try #require(br166.d2d)
        #expect(d2d.bandwidth.bidirectionalGBps() == 896)
        #expect(d2d.bandwidth.perDirectionGBps() == 448)
    }

    @Test func unknownChipSuggestsNearest() throws {
        let catalog = try ChipCatalog.builtIn()
        #expect(throws: UnknownIDError.self) { try catalog.chip("br16") }
        let error = try #require(throws: UnknownIDError.self) { try catalog.chip("a100-sxm4-80") }
        #expect(error.suggestions.first == "a100-sxm4-80gb")
    }

    @Test func modelParameterCountsMatchPublishedSizes() throws {
        let zoo = try ModelZoo.builtIn()
        func billions(_ id: String) throws -> Double { try zoo.model(id).totalParams / 1e9 }
        #expect(abs(try billions("gpt3-175b") - 175) < 3)
        #expect(abs(try billions("llama2-70b") - 69) < 1.5)
        #expect(abs(try billions("llama3-70b") - 70.6) < 1.5)
        #expect(abs(try billions("llama3.1-405b") - 405) < 6)
        #expect(abs(try billions("mixtral-8x7b") - 46.7) < 1)
        #expect(abs(try zoo.model("mixtral-8x7b").activeParams / 1e9 - 12.9) < 0.5)
        #expect(abs(try billions("deepseek-v3") - 671) < 10)
        #expect(abs(try zoo.model("deepseek-v3").activeParams / 1e9 - 37) < 2)
        #expect(abs(try billions("qwen3-235b-a22b") - 235) < 5)
        #expect(abs(try zoo.model("qwen3-235b-a22b").activeParams / 1e9 - 22) < 1.5)
        #expect(abs(try billions("bert-large") - 0.335) < 0.02)
        let resnet = try zoo.model("resnet50-v1.5")
        #expect(abs(resnet.totalParams / 1e6 - 25.5) < 0.6)
        #expect(abs(ResNetShape(blocks: resnet.resnetBlocks, imageSize: 224).flops / 1e9 - 8.2) < 0.4)
    }
}
