import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// A small, fast training run (fixed TP, 16 chips) for the goodput flags.
private let small = ["estimate", "--chip", "a100-sxm4-80gb", "--chips", "16", "--model", "llama2-7b", "--seq", "2048",
                     "--batch", "64", "--tp", "2", "--pp", "1", "--microbatch", "1", "--recompute", "none"]

private func goodput(_ extra: [String]) throws -> JSONValue {
    let (code, out, err) = runCLI(small + extra + ["--format", "json"])
    #expect(code == 0, "\(err)")
    let e = try #require(JSONValue.parse(Array(out.utf8))["estimates"]?.arrayValue?.first)
    return try #require(e["goodput"])
}

@Suite struct GoodputCLITests {
    @Test func jsonHasTheDocumentedGoodputMember() throws {
        let g = try goodput([])
        for key in ["fraction", "interruptionsExpected", "checkpointIntervalMinutes", "checkpointSeconds", "restartMinutes",
                    "effectiveDays", "probabilityUnbroken"] {
            #expect(g[key] != nil, "missing goodput.\(key)")
        }
        let fraction = try #require(g["fraction"]?.numberValue)
        #expect(fraction > 0 && fraction <= 1)
        #expect(g["probabilityUnbroken"]?["days"]?.numberValue == 30)
        let p = try #require(g["probabilityUnbroken"]?["p"]?.numberValue)
        #expect(p >= 0 && p <= 1)
        #expect(g["restartMinutes"]?.numberValue == 10)
        let effective = try #require(g["effectiveDays"]?.numberValue)
        let ideal = try #require(g["idealDays"]?.numberValue)
        #expect(effective >= ideal)
        #expect(g["ratesSource"]?.stringValue?.hasPrefix("nvidia-h100-class") == true)
    }

    @Test func flagsMoveGoodputTheWayTheyShould() throws {
        let base = try #require(try goodput([])["fraction"]?.numberValue)
        let flaky = try #require(try goodput(["--mtbf-hours", "500"])["fraction"]?.numberValue)
        let slowRestart = try #require(try goodput(["--restart-minutes", "60"])["fraction"]?.numberValue)
        let slowStorage = try #require(try goodput(["--checkpoint-gbps", "0.01"])["fraction"]?.numberValue)
        #expect(flaky < base && slowRestart < base && slowStorage < base)
        let fixed = try goodput(["--checkpoint-interval-minutes", "120", "--checkpoint-mode", "async"])
        #expect(fixed["checkpointIntervalMinutes"]?.numberValue == 120)
        #expect(fixed["checkpointIntervalOptimal"]?.boolValue == false)
        #expect(fixed["checkpointMode"]?.stringValue == "asynchronous")
        #expect(try goodput(["--restart-minutes", "5"])["restartSource"]?.stringValue == "--restart-minutes")
    }

    @Test func tableHasAGoodputLineAndNoGoodputRemovesIt() {
        let (code, out, _) = runCLI(small)
        #expect(code == 0)
        #expect(out.contains("goodput a100-sxm4-80gb: "))
        #expect(out.contains("effective days"))
        #expect(out.contains("P(30 days unbroken)"))
        #expect(out.contains("wall time: ideal"))
        let (code2, out2, _) = runCLI(small + ["--no-goodput"])
        #expect(code2 == 0 && !out2.contains("goodput"))
        let (_, json, _) = runCLI(small + ["--no-goodput", "--format", "json"])
        #expect(!json.contains("\"goodput\""))
    }

    @Test func nonsenseIsAOneLineErrorWithTheRightExitCode() throws {
        #expect(runCLI(small + ["--mtbf-hours", "0"]).0 == 64)
        #expect(runCLI(small + ["--restart-minutes", "-1"]).0 == 64)
        #expect(runCLI(small + ["--checkpoint-mode", "asyn"]).2.contains("did you mean 'async'"))
        let (c1, _, e1) = runCLI(small + ["--no-goodput", "--restart-minutes", "5"])
        #expect(c1 == 64 && e1.contains("--restart-minutes contradicts --no-goodput"))
        let (c2, _, e2) = runCLI(["estimate", "--inference", "--mtbf-hours", "100"])
        #expect(c2 == 64 && e2.contains("applies to training estimates"))
        let (c3, _, e3) = runCLI(small + ["--failure-rates", "/nonexistent/rates.json"])
        #expect(c3 == 66 && e3.contains("no such file"))
        // A bad failure-rate file: one line naming the file and key, exit 65.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("goodput-cli-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let builtIn = String(decoding: try #require(EmbeddedSpecs.reliability.first).bytes, as: UTF8.self)
        let bad = builtIn.replacingOccurrences(of: "\"hostPerNode\"", with: "\"hostPerNod\"")
        let file = dir.appendingPathComponent("rates.json").path
        try bad.write(toFile: file, atomically: true, encoding: .utf8)
        let (c4, _, e4) = runCLI(small + ["--failure-rates", file])
        #expect(c4 == 65)
        #expect(e4.contains("\(file): fleets[0].failuresPerMillionHours.hostPerNod: unknown key (did you mean 'hostPerNode'?)"))
        // The same file, fixed, loads and is named as the source.
        try builtIn.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try goodput(["--failure-rates", file])["ratesSource"]?.stringValue?.contains(file) == true)
    }

    /// A Biren chip's details set the vendor's claims beside the model (scaling efficiency
    /// computed at the claimed size, P(30 days unbroken), the restart claim).
    @Test func birenDetailsSetTheClaimsBesideTheModel() throws {
        let (code, out, err) = runCLI(["estimate", "--chip", "br166", "--chips", "1024", "--model", "llama2-7b", "--seq", "2048",
                                       "--batch", "1024", "--tp", "1", "--pp", "1", "--microbatch", "1", "--recompute", "none",
                                       "--zero", "1", "--virtual-stages", "1", "--sp", "off"])
        #expect(code == 0, "\(err)")
        #expect(out.contains("Biren claims (China Telecom thousand-card cluster"))
        #expect(out.contains("linear speedup above 95% on 1024 chips -> model: scaling efficiency "))
        #expect(out.contains("30 days without interruption on 1024 chips -> model: P = "))
        #expect(out.contains("restart under 5 min -> model uses 10 min"))
        #expect(out.contains("rates: chinese-domestic fleet"))
    }

    @Test func whatifSweepsGoodputParameters() throws {
        let args = ["whatif", "--from", "a100-sxm4-80gb", "--chips", "16", "--model", "llama2-7b", "--seq", "2048", "--batch", "64",
                    "--tp", "2", "--pp", "1", "--microbatch", "1", "--recompute", "none", "--format", "json"]
        for (axis, rising) in [("mtbf=1000,100000", true), ("restart-minutes=1,60", false), ("checkpoint-gbps=0.01,10", true)] {
            let (code, out, err) = runCLI(args + ["--vary", axis])
            #expect(code == 0, "\(axis): \(err)")
            let json = try JSONValue.parse(Array(out.utf8))
            let text = json.serialized()
            #expect(text.contains("goodput"), "\(axis)")
            // The goodput of each point, in sweep order.
            var values: [Double] = []
            func collect(_ v: JSONValue) {
                if case let .object(members) = v {
                    if members.contains(where: { $0.0 == "name" && $0.1.stringValue == "goodput" }),
                       let n = members.first(where: { $0.0 == "nominal" })?.1.numberValue { values.append(n) }
                    for (_, m) in members { collect(m) }
                } else if case let .array(items) = v { items.forEach(collect) }
            }
            collect(json)
            #expect(values.count == 2, "\(axis): \(values)")
            if values.count == 2 { #expect(rising ? values[1] > values[0] : values[1] < values[0], "\(axis): \(values)") }
        }
        let (code, _, err) = runCLI(args + ["--metric", "training", "--mtbf-hours", "100"])
        #expect(code == 64 && err.contains("applies to --metric goodput"))
    }
}
