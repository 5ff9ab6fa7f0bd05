import Foundation
import Testing
@testable import ChipModelKit

/// Issue 15: the audit's corrections, the catalog's breadth, the Biren SKU split, and the
/// compute-unit keys.
@Suite struct CatalogFidelityTests {
    static func chip(_ id: String) throws -> Chip { try ChipCatalog.builtIn().chip(id) }

    @Test func catalogListsAtLeast55PartsFrom14Vendors() throws {
        let s = CatalogSummary(chips: try ChipCatalog.builtIn().chips, systems: try SystemCatalog.builtIn().systems)
        #expect(s.parts >= 55 && s.vendors.count >= 14, "\(s.parts) parts, \(s.vendors)")
        #expect(s.chipValueCount == s.chipValues.values.reduce(0, +) && s.chipValueCount > s.parts * 10)
        #expect(s.systems >= 11 && (s.systemValues[.vendorOfficial] ?? 0) > 0)
        for v in ["AWS", "Alibaba T-Head", "Google", "Huawei", "Biren", "NVIDIA", "AMD", "Intel"] { #expect(s.vendors.contains(v), "\(v)") }
    }

    // MARK: corrections

    @Test func kunlunxinP800HasAbout96GBAndADisputedMemoryType() throws {
        let p = try Self.chip("kunlunxin-p800")
        let cap = try #require(p.memory.capacityGB)
        #expect(cap.nominal == 96 && cap.confidence != .estimated && cap.note?.contains("98,304 MiB") == true)
        #expect(p.memory.type?.contains("disputed") == true)
    }

    @Test func ascend910CScaleOutIs400GbpsAndScaleUpIsAVendorPerDirectionFigure() throws {
        let c = try Self.chip("ascend-910c")
        let out = try #require(c.scaleOut)
        #expect(out.nicBandwidth.perDirectionGBps() == 50 && out.nicBandwidth.stated.confidence == .vendorOfficial)
        let up = try #require(c.scaleUp)
        #expect(up.bandwidth.direction == .perDirection && up.bandwidth.perDirectionGBps() == 392)
        #expect(up.bandwidth.stated.confidence == .vendorOfficial && up.bandwidth.stated.high == nil)
        #expect(c.sources.values.contains { $0.url == "https://arxiv.org/abs/2506.12708" })
    }

    /// DRAM capacity is binary (the lead's convention, overriding the audit's 102): a figure
    /// stated in GiB is stored as is.
    @Test func tpuV5pCapacityIsStoredAsStatedInGiB() throws {
        let v = try Self.chip("tpu-v5p")
        let cap = try #require(v.memory.capacityGB)
        #expect(cap.nominal == 95 && cap.low == nil && cap.note?.contains("GiB") == true)
        #expect(abs((ChipParameters(chip: v).memoryCapacityGB ?? 0) - 102.005) < 0.001)  // 95 x 2^30 bytes
        #expect(v.memory.bandwidthGBps?.nominal == 2765 && v.memory.bandwidthGBps?.note?.contains("2,575 GiBps") == true)
    }

    @Test func metaxC500CarriesTheOfficialFigures() throws {
        let m = try Self.chip("metax-c500")
        #expect(m.densePeaks[.fp32]?.nominal == 18 && m.matrixPeaks[.fp32]?.nominal == 36)
        #expect(m.densePeaks[.tf32]?.nominal == 140 && m.densePeaks[.bf16]?.nominal == 280 && m.densePeaks[.int8]?.nominal == 560)
        for f in [NumberFormat.fp32, .tf32, .bf16, .int8] { #expect(m.densePeaks[f]?.confidence != .estimated, "\(f)") }
    }

    @Test func iluvatarPartsStopLabellingSourcedValuesAsEstimated() throws {
        let b = try Self.chip("iluvatar-bi-v150")
        #expect(b.densePeaks[.fp32]?.nominal == 37 && b.densePeaks[.fp32]?.confidence == .pressAnalyst)
        #expect(b.memory.capacityGB?.nominal == 64 && b.tdpW?.nominal == 350 && b.tdpW?.confidence == .pressAnalyst)
        let m = try Self.chip("iluvatar-mr-v100")
        #expect(m.densePeaks[.fp32]?.nominal == 24 && m.densePeaks[.fp16]?.nominal == 96 && m.densePeaks[.int8]?.nominal == 192)
        #expect(m.memory.capacityGB?.nominal == 32 && m.memory.type == "HBM2E")
        for v in [m.densePeaks[.fp32], m.densePeaks[.fp16], m.densePeaks[.int8], m.memory.capacityGB] { #expect(v?.confidence == .pressAnalyst) }
    }

    @Test func ascend910BIsCubeOnlyWithItsBinSplitOut() throws {
        let b = try Self.chip("ascend-910b")
        let bf16 = try #require(b.densePeaks[.bf16])
        #expect(bf16.nominal == 354 && bf16.high == 376)
        #expect(b.memory.bandwidthGBps?.nominal == 1600 && b.computeUnits?.nominal == 24)
        let b4 = try Self.chip("ascend-910b4")
        #expect(b4.memory.capacityGB?.nominal == 32 && b4.memory.bandwidthGBps?.nominal == 800 && b4.densePeaks[.bf16]?.high == 280)
        #expect(b4.computeUnits?.nominal == 20 && b4.boostClockMHz?.nominal == 1500)
    }

    // MARK: Biren facts

    @Test func birenSKUsAreSplitWhereFormFactorPowerAndLinksDiffer() throws {
        let m = try Self.chip("br106")
        #expect(m.name.contains("BR106M") && m.formFactors == ["OAM"] && m.tdpW?.nominal == 400)
        #expect(m.scaleUp?.bandwidth.direction == .perDirection && m.scaleUp?.bandwidth.perDirectionGBps() == 64)
        #expect(m.year.nominal == 2023 && m.notes.contains { $0.contains("vendor pages win") })
        let c = try Self.chip("br106c")
        #expect(c.formFactors == ["PCIe"] && c.dies.computeDieCount == 1)
        let tdp: [(String, Double, String)] = [("br166", 550, "OAM"), ("br166l", 600, "OAM (liquid-cooled)"), ("br166c", 300, "PCIe")]
        for (id, watts, ff) in tdp {
            let x = try Self.chip(id)
            #expect(x.tdpW?.nominal == watts && x.formFactors.first == ff && x.dies.computeDieCount == 2, "\(id)")
            #expect(x.d2d?.bandwidth.bidirectionalGBps() == 896, "\(id)")
        }
        #expect(try Self.chip("br110").year.nominal == 2024)
        let su = try #require(try Self.chip("br20x").scaleUp?.maxDomainSize)
        #expect(su.nominal == 1024 && su.hasRange)
    }

    // MARK: compute units and clocks

    @Test func computeUnitsAreRecordedWherePublished() throws {
        let expected: [(String, Double)] = [("a100-sxm4-80gb", 108), ("h100-sxm5-80gb", 132), ("h100-pcie-80gb", 114), ("mi300x", 304),
                                            ("mi355x", 256), ("tpu-v5p", 2), ("trainium2", 8), ("gaudi3", 8), ("br100", 512)]
        for (id, n) in expected {
            let c = try Self.chip(id)
            #expect(c.computeUnits?.nominal == n && c.computeUnitKind != nil, "\(id)")
        }
        #expect(try Self.chip("a100-sxm4-80gb").boostClockMHz?.nominal == 1410)
        // Estimated counts carry a range, like every estimate.
        let b300 = try #require(try Self.chip("b300-sxm-288gb").computeUnits)
        #expect(b300.confidence == .estimated && b300.hasRange)
        let withUnits = try ChipCatalog.builtIn().chips.filter { $0.computeUnits != nil }
        #expect(withUnits.count >= 35, "\(withUnits.count)")
    }

    static let base = """
    {
      "id": "t", "name": "T", "vendor": "V", "family": "f", "status": "shipping",
      "year": { "value": 2024, "source": "ds", "confidence": "vendor-official" },
      "formFactors": ["PCIe"], "sources": { "ds": { "title": "d" } },
      "dies": { "computeDies": { "value": 1, "source": "ds", "confidence": "vendor-official" } },
      "computeUnits": { "value": 108, "source": "ds", "confidence": "vendor-official" },
      "computeUnitKind": "SM",
      "boostClockMHz": { "value": 1410, "source": "ds", "confidence": "vendor-official" }
    }
    """

    static func problems(_ text: String) -> [String] {
        switch ChipSpecDecoder.decode(bytes: Array(text.utf8), file: "c.json") {
        case .success: return []
        case let .failure(e): return e.problems.map(\.description)
        }
    }

    @Test func computeUnitKeysAreCheckedLikeOtherValues() throws {
        #expect(Self.problems(Self.base).isEmpty)
        let chip = try ChipSpecDecoder.decode(bytes: Array(Self.base.utf8), file: "c.json").get()
        #expect(chip.computeUnits?.nominal == 108 && chip.computeUnitKind == "SM" && chip.boostClockMHz?.nominal == 1410)
        #expect(chip.allSpecValues.contains { $0.0 == "computeUnits" } && chip.allSpecValues.contains { $0.0 == "boostClockMHz" })
        let half = Self.base.replacingOccurrences(of: "\"value\": 108", with: "\"value\": 108.5")
        #expect(Self.problems(half).contains("c.json: computeUnits.value: must be a whole number"))
        let clock = Self.base.replacingOccurrences(of: "\"value\": 1410", with: "\"value\": 1410000")
        #expect(Self.problems(clock).contains("c.json: boostClockMHz.value: 1410000 MHz is outside 10-10000"))
        let kindOnly = Self.base.replacingOccurrences(of: "\"computeUnits\": { \"value\": 108, \"source\": \"ds\", \"confidence\": \"vendor-official\" },", with: "")
        #expect(Self.problems(kindOnly).contains("c.json: computeUnitKind: given without computeUnits"))
        let est = Self.base.replacingOccurrences(of: "\"value\": 108, \"source\": \"ds\", \"confidence\": \"vendor-official\"", with: "\"value\": 108, \"source\": \"ds\", \"confidence\": \"estimated\"")
        #expect(Self.problems(est).contains("c.json: computeUnits: an estimated value needs a 'low'-'high' range"))
        let typo = Self.base.replacingOccurrences(of: "\"computeUnitKind\"", with: "\"computeUnitsKind\"")
        #expect(Self.problems(typo).contains("c.json: computeUnitsKind: unknown key (did you mean 'computeUnitKind'?)"))
    }

    // MARK: SKU variants

    @Test func variantsNameTheirBasePartAndStayOffTheRoadmap() throws {
        let catalog = try ChipCatalog.builtIn()
        let variants = catalog.chips.filter { $0.variantOf != nil }
        #expect(Set(variants.map(\.id)) == ["br106c", "br166l", "br166c", "a800-sxm4-80gb", "gaudi3-hl328", "gaudi3-hl388", "ascend-910b4", "mi350x"])
        for v in variants {
            let base = try catalog.chip(try #require(v.variantOf))
            #expect(base.vendor == v.vendor && base.variantOf == nil, "\(v.id)")
        }
        let biren = try Roadmap.parts(vendor: "biren", in: catalog).map(\.id)
        #expect(!biren.contains("br106c") && !biren.contains("br166c") && biren.contains("br166"))
        let line = try Roadmap.build(vendor: "biren", catalog: catalog, workloads: RoadmapWorkload.rooflineDefaults(model: ModelZoo.builtIn().model("llama3-8b")),
                                     only: ["br106", "br106c"])
        #expect(line.entries.map(\.chip.id) == ["br106", "br106c"])
    }

    @Test func aVariantMustNameAKnownBasePart() {
        let chip = Self.base.replacingOccurrences(of: "\"computeUnitKind\": \"SM\",", with: "\"computeUnitKind\": \"SM\", \"variantOf\": \"h100-sxm5-80g\",")
        do {
            _ = try ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: [SpecDocument(file: "v.json", text: chip)])
            Issue.record("unknown base accepted")
        } catch {
            #expect(error.problems.map(\.description) == ["v.json: variantOf: unknown chip 'h100-sxm5-80g' (did you mean 'h100-sxm5-80gb', 'h800-sxm5-80gb', 'a100-sxm4-80gb'?)"])
        }
        let ofVariant = chip.replacingOccurrences(of: "h100-sxm5-80g\"", with: "br106c\"")
        #expect(throws: InputError.self) { try ChipCatalog.load(builtIn: EmbeddedSpecs.chips, user: [SpecDocument(file: "v.json", text: ofVariant)]) }
        let selfish = chip.replacingOccurrences(of: "h100-sxm5-80g\"", with: "t\"")
        #expect(Self.problems(selfish).contains("c.json: variantOf: a chip cannot be a variant of itself"))
    }
}
