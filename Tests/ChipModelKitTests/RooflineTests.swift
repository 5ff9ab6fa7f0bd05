import Testing
@testable import ChipModelKit

@Suite struct RooflineTests {
    func device(_ id: String, _ format: NumberFormat = .bf16) throws -> RooflineDevice {
        try RooflineDevice(chip: ChipParameters(chip: ChipCatalog.builtIn().chip(id)), format: format)
    }

    @Test func bigSquareGemmOnA100IsComputeBound() throws {
        let r = Roofline.evaluate(.gemm(m: 8192, n: 8192, k: 8192), on: try device("a100-sxm4-80gb"))
        #expect(r.bound == .compute)
        #expect(r.flops == 2 * 8192.0 * 8192 * 8192)
        // 1.1e12 FLOP at 312 TFLOPS x the family's matrix fraction.
        let expected = r.flops / (312e12 * Calibration.family("nvidia-ampere").matmulPeakFraction)
        #expect(abs(r.seconds - expected) / expected < 1e-12)
    }

    @Test func decodeGemvIsMemoryBound() throws {
        let r = Roofline.evaluate(.gemm(m: 1, n: 8192, k: 8192), on: try device("a100-sxm4-80gb"))
        #expect(r.bound == .memory)
        #expect(r.intensity < 2)
    }

    @Test func br166OperandExchangeIsD2DBoundAt448GBpsEachWay() throws {
        let d = try device("br166")
        #expect(d.d2dBytesPerSecondPerDirection == 448e9 * d.calibration.d2dFraction)
        // Split along N: each die must fetch the half of A that lives on the other die.
        let r = Roofline.evaluate(.gemm(m: 16384, n: 256, k: 16384), on: d, split: .n)
        #expect(r.bound == .d2d)
        #expect(r.d2dBytesPerDirection == 0.5 * 16384 * 16384 * 2)
        // The automatic split avoids the exchange.
        #expect(Roofline.evaluate(.gemm(m: 16384, n: 256, k: 16384), on: d).bound != .d2d)
    }

    @Test func missingFormatNamesTheAvailableOnes() throws {
        #expect(throws: UnsupportedFormatError.self) { try device("a100-sxm4-80gb", .fp8) }
        let emulated = try RooflineDevice(chip: ChipParameters(chip: ChipCatalog.builtIn().chip("a100-sxm4-80gb")), format: .fp8, emulate: true)
        #expect(emulated.computeFormat == .bf16)
    }
}
