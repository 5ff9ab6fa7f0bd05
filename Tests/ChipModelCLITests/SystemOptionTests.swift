import Foundation
import Testing
@testable import ChipModelCLI
@testable import ChipModelKit

/// `--system ID` on estimate, roofline and whatif.
@Suite struct SystemOptionTests {
    /// JSON output without the search timings (which vary run to run), the `system` member
    /// (which only the --system run has) and the power, cost and goodput members (which take
    /// the system's host figures: `systemHostFiguresFeedPowerAndGoodput`), as a canonical string.
    static func stable(_ s: String) -> String {
        func strip(_ v: Any) -> Any {
            if let d = v as? [String: Any] {
                var out: [String: Any] = [:]
                for (k, x) in d where !["system", "power", "cost", "goodput"].contains(k) && !(k.hasSuffix("Seconds") && k.lowercased().contains("search")) { out[k] = strip(x) }
                return out
            }
            if let a = v as? [Any] { return a.map(strip) }
            return v
        }
        guard let data = s.data(using: .utf8), let v = try? JSONSerialization.jsonObject(with: data),
              let o = try? JSONSerialization.data(withJSONObject: strip(v), options: [.sortedKeys]) else { return "unparsable: " + s }
        return String(decoding: o, as: UTF8.self)
    }

    /// The `system` member of a JSON estimate.
    static func systemMember(_ s: String) -> [String: Any]? {
        guard let data = s.data(using: .utf8), let v = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return v["system"] as? [String: Any]
    }

    /// A switched system is the chip with the system's chip count and scale-up domain: the
    /// same estimate, number for number, as the equivalent --chip --chips --scale-up-domain.
    @Test func switchedSystemMatchesTheEquivalentChipCluster() {
        let common = ["--model", "llama3-8b", "--tp", "8", "--pp", "1", "--format", "json"]
        let (c1, a, e1) = runCLI(["estimate", "--system", "dgx-h100-superpod", "--chips", "16"] + common)
        let (c2, b, _) = runCLI(["estimate", "--chip", "h100-sxm5-80gb", "--chips", "16", "--scale-up-domain", "8"] + common)
        #expect(c1 == 0 && c2 == 0, "\(e1)")
        #expect(Self.stable(a) == Self.stable(b) && Self.stable(a).contains("\"estimates\""))
        #expect(Self.systemMember(a)?["id"] as? String == "dgx-h100-superpod" && Self.systemMember(a)?["chips"] as? Int == 16)
        #expect(Self.systemMember(b) == nil)
        let inf = ["--inference", "--model", "llama3-8b", "--tp", "8", "--format", "json"]
        let x = runCLI(["estimate", "--system", "dgx-h100-superpod", "--chips", "8"] + inf).1
        let y = runCLI(["estimate", "--chip", "h100-sxm5-80gb", "--chips", "8", "--scale-up-domain", "8"] + inf).1
        #expect(!x.isEmpty && Self.stable(x) == Self.stable(y) && Self.stable(x).contains("\"estimates\""))
        #expect(Self.systemMember(x)?["scaleUpDomain"] as? Int == 8)
    }

    @Test func tableOutputNamesTheSystem() {
        let (code, out, _) = runCLI(["estimate", "--inference", "--system", "atlas-900-a2-pod", "--chips", "8", "--model", "llama3-8b", "--tp", "8"])
        #expect(code == 0 && out.hasPrefix("System: Huawei Atlas 900 A2 PoD") && out.contains("all-to-all of 8"))
    }

    @Test func contradictoryOrBadSystemArgumentsAreUsageErrors() {
        let cases: [([String], String)] = [
            (["estimate", "--system", "dgx-h100-superpod", "--chip", "h100-sxm5-80gb"], "--system names its chip"),
            (["estimate", "--system", "dgx-h100-superpod", "--scale-up-domain", "4"], "--system sets the scale-up domain"),
            (["estimate", "--system", "dgx-h100", "--model", "llama3-8b"], "unknown system 'dgx-h100'"),
            (["estimate", "--system", "dgx-h100-superpod", "--chips", "12"], "does not fill whole scale-up domains of 8"),
            (["roofline", "h100-sxm5-80gb", "--system", "dgx-h100-superpod"], "give CHIP or --system, not both"),
        ]
        for (args, message) in cases {
            let (code, _, err) = runCLI(args)
            #expect(code == 64 && err.contains(message), "\(args): \(err)")
        }
    }

    @Test func rooflineAndWhatIfTakeASystem() {
        let (code, out, _) = runCLI(["roofline", "--system", "trn2-ultraserver", "--op", "gemm:4096,4096,4096"])
        #expect(code == 0 && out.contains("AWS Trainium2 [trainium2]"))
        let (wcode, wout, werr) = runCLI(["whatif", "--system", "br166-oam-server", "--metric", "roofline", "--set", "bf16DenseTflops=2048"])
        #expect(wcode == 0 && wout.contains("br166"), "\(werr)")
    }

    /// A system's host figures replace the tables' defaults: the power per node beyond the
    /// accelerators (IT power = chips x average chip power + nodes x that figure) and the
    /// checkpoint write bandwidth per node (goodput names the system as its source).
    @Test func systemHostFiguresFeedPowerAndGoodput() throws {
        let common = ["--model", "llama3-8b", "--chips", "64", "--format", "json"]
        let sys = runCLI(["estimate", "--system", "dgx-h100-superpod"] + common).1
        let plain = runCLI(["estimate", "--chip", "h100-sxm5-80gb", "--scale-up-domain", "8"] + common).1
        func estimate(_ s: String) -> [String: Any]? {
            guard let d = s.data(using: .utf8), let v = try? JSONSerialization.jsonObject(with: d) as? [String: Any] else { return nil }
            return (v["estimates"] as? [[String: Any]])?.first
        }
        let a = try #require(estimate(sys)), b = try #require(estimate(plain))
        let system = try SystemCatalog.builtIn().system("dgx-h100-superpod")
        let nodeW = try #require(system.host.powerOverheadWPerNode).nominal
        let pa = try #require(a["power"] as? [String: Any]), pb = try #require(b["power"] as? [String: Any])
        let chipW = try #require(pa["chipWattsAverage"] as? Double), itKW = try #require(pa["clusterITKW"] as? Double)
        #expect(abs(itKW - (64 * chipW + 8 * nodeW) / 1000) < 1e-6 * itKW)
        #expect(abs((pb["clusterITKW"] as? Double ?? 0) - itKW) > 1, "the table's default host power is not the system's")
        let ga = try #require(a["goodput"] as? [String: Any]), gb = try #require(b["goodput"] as? [String: Any])
        #expect(ga["bandwidthSource"] as? String == "system dgx-h100-superpod" && gb["bandwidthSource"] as? String == "default")
        #expect(ga["checkpointWriteGBpsPerNode"] as? Double == system.host.checkpointWriteGBpsPerNode?.nominal)
    }
}
