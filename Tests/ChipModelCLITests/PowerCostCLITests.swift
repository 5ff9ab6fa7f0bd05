import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// `estimate` (training and `--inference`), `whatif --metric energy` and `chips compare` with
/// the power, energy and cost model.
@Suite struct PowerCostCLITests {
    static let small = ["estimate", "--chip", "h100-sxm5-80gb", "--chips", "64", "--model", "llama3-8b", "--tp", "1", "--pp", "1"]

    static func first(_ out: String) throws -> JSONValue {
        try #require(try JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first)
    }

    @Test func trainingJSONHasPowerAndCost() throws {
        let (code, out, err) = runCLI(Self.small + ["--format", "json"])
        #expect(code == 0, "\(err)")
        let e = try Self.first(out)
        let power = try #require(e["power"])
        for key in ["clusterKW", "clusterITKW", "provisionedKW", "chipWattsAverage", "energyMWh", "chipEnergyMWh", "tCO2e", "low", "high"] {
            #expect(power[key] != nil, "power.\(key)")
        }
        let kw = try #require(power["clusterKW"]?.numberValue), nameplate = try #require(power["provisionedKW"]?.numberValue)
        #expect(kw > 0 && kw <= nameplate)
        #expect(try #require(power["chipWattsAverage"]?.numberValue) <= 700)
        let cost = try #require(e["cost"])
        #expect(cost["usdPerChipHour"]?.numberValue != nil && cost["usdTotal"]?.numberValue != nil)
        #expect(cost["basis"]?.stringValue?.hasPrefix("owned: chip $27500") == true)
    }

    /// A cloud price: the chip-hour cost is the price, the total is chip-hours x price.
    @Test func chipHourPriceIsTheChipHourCost() throws {
        let (code, out, err) = runCLI(Self.small + ["--chip-hour-usd", "2.5", "--format", "json"])
        #expect(code == 0, "\(err)")
        let e = try Self.first(out)
        let cost = try #require(e["cost"])
        #expect(cost["usdPerChipHour"]?.numberValue == 2.5)
        let days = try #require(e["days"]?.numberValue)
        let total = try #require(cost["usdTotal"]?.numberValue)
        #expect(abs(total - 2.5 * 64 * days * 24) / total < 1e-9)
        #expect(cost["basis"]?.stringValue?.hasPrefix("cloud price $2.5/chip-hour (--chip-hour-usd)") == true)
    }

    @Test func pueScalesFacilityPower() throws {
        func kw(_ pue: String) throws -> Double {
            let (code, out, _) = runCLI(Self.small + ["--pue", pue, "--format", "json"])
            #expect(code == 0)
            return try #require(try Self.first(out)["power"]?["clusterKW"]?.numberValue)
        }
        #expect(abs(try kw("1.5") / kw("1.1") - 1.5 / 1.1) < 1e-9)
    }

    @Test func badPowerFlagsAreUsageErrors() {
        for (flag, value) in [("--pue", "0.5"), ("--power-price-usd-kwh", "-1"), ("--chip-hour-usd", "0"), ("--amortize-years", "nan")] {
            let (code, _, err) = runCLI(Self.small + [flag, value])
            #expect(code == 64, "\(flag) \(value)")
            #expect(err.contains(flag), "\(err)")
        }
    }

    @Test func trainingTableHasThePowerLine() {
        let (code, out, _) = runCLI(Self.small)
        #expect(code == 0)
        #expect(out.contains("h100-sxm5-80gb: ") && out.contains(" kW facility (") && out.contains("MWh") && out.contains("cost basis: owned"))
    }

    /// A chip without a price gets power and energy but no dollars.
    @Test func noPriceNoDollars() throws {
        let (code, out, err) = runCLI(["estimate", "--inference", "--chip", "mtt-s4000", "--model", "llama3-8b", "--format", "json"])
        #expect(code == 0, "\(err)")
        let e = try Self.first(out)
        #expect(e["power"]?["tokensPerJoule"]?.numberValue != nil)
        #expect(e["cost"] == .null)
    }

    @Test func inferenceJSONAndEfficiencyPlots() throws {
        let dir = NSTemporaryDirectory() + "chipmodel-power-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (code, out, err) = runCLI(["estimate", "--inference", "--chip", "h100-sxm5-80gb", "--chip", "h20", "--model", "llama3-8b",
                                       "--energy-svg", dir + "/e.svg", "--cost-svg", dir + "/c.svg", "--format", "json"])
        #expect(code == 0, "\(err)")
        let items = try #require(try JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue)
        for e in items {
            let tpj = try #require(e["power"]?["tokensPerJoule"]?.numberValue)
            let chipOnly = try #require(e["power"]?["tokensPerJouleChipOnly"]?.numberValue)
            #expect(tpj > 0 && tpj < chipOnly)  // facility energy includes host, network and PUE
            #expect(e["cost"]?["usdPerMillionTokens"]?.numberValue != nil)
        }
        let svg = try String(contentsOfFile: dir + "/e.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("Pareto front") && svg.contains("h20") && !svg.contains("nan"))
        #expect(try String(contentsOfFile: dir + "/c.svg", encoding: .utf8).contains("$ per million tokens"))
    }

    /// `whatif --metric energy`: twice the chip-hour price, twice the dollars per token.
    @Test func whatifOverChipHourPrice() throws {
        let (code, out, err) = runCLI(["whatif", "--from", "h100-sxm5-80gb", "--inference", "--model", "llama3-8b", "--metric", "energy",
                                       "--vary", "chip-hour=1,2", "--format", "json"])
        #expect(code == 0, "\(err)")
        let rows = try #require(try JSONValue.parse(Array(out.utf8))["rows"]?.arrayValue)
        #expect(rows.count == 2)
        func usd(_ r: JSONValue) throws -> Double {
            try #require(r["metrics"]?.arrayValue?.first { $0["name"]?.stringValue == "usdPerMillionTokens" }?["nominal"]?.numberValue)
        }
        #expect(abs(try usd(rows[1]) / usd(rows[0]) - 2) < 1e-9)
        let (bad, _, berr) = runCLI(["whatif", "--from", "h100-sxm5-80gb", "--inference", "--model", "llama3-8b", "--metric", "energy",
                                     "--vary", "pue=0.5"])
        #expect(bad == 1)
        #expect(berr.contains("pue must lie in 1...5, got 0.5"))
    }

    @Test func chipsCompareShowsPerfPerWatt() {
        let (code, out, _) = runCLI(["chips", "compare", "h100-sxm5-80gb", "h20"])
        #expect(code == 0)
        #expect(out.contains("perW.peakBf16DenseTflopsPerW") && out.contains("perW.deliveredTflopsPerW") && out.contains("perW.deliveredTokensPerJoule"))
        #expect(out.contains("1.41"))  // 989 TFLOPS / 700 W
    }
}
