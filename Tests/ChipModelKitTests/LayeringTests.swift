import Foundation
import Testing

/// The folders of ChipModelKit are floors that import only downward (Sources/ChipModelKit/README.md).
/// This test reads the sources: every top-level name declared in a folder, and every file's
/// identifiers; a file that names something declared on its own floor or a higher one in
/// another folder breaks the layering. Comments and string literals are ignored.
@Suite struct LayeringTests {
    static let kit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/ChipModelKit")

    /// Floors, lowest first; folders on one floor must not name each other either.
    static let floors: [[String]] = [
        ["Core"], ["Hardware"], ["Workload"], ["Execution"], ["Calibration"], ["Kernels"],
        ["Estimation/Roofline"], ["Estimation/Network"], ["Estimation/Ranges", "Estimation/Serving"],
        ["Estimation/Training", "Estimation/Inference", "Estimation/ChipletEconomics", "Estimation/Power"],
        ["Estimation/Runs", "Estimation/Heterogeneous"],
        ["Estimation/Cost", "Estimation/Goodput", "Estimation/Levers"],
        ["WhatIf", "Validation"],
        ["Presentation"],
    ]

    static func floor(of folder: String) -> Int? { floors.firstIndex { $0.contains(folder) } }

    /// The folder of a file: its path under the library, two levels deep inside Estimation.
    static func folder(_ relative: String) -> String {
        let parts = relative.split(separator: "/").map(String.init)
        if parts.first == "Estimation", parts.count > 2 { return parts[0] + "/" + parts[1] }
        return parts.count > 1 ? parts[0] : "."
    }

    static func sources() throws -> [(folder: String, file: String, text: String)] {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: kit.path) else { return [] }
        var out: [(String, String, String)] = []
        for case let rel as String in e where rel.hasSuffix(".swift") {
            out.append((folder(rel), rel, try String(contentsOfFile: kit.appendingPathComponent(rel).path, encoding: .utf8)))
        }
        return out
    }

    /// Top-level declarations (types, functions, constants) at column 0.
    static func declarations(_ text: String) -> [String] {
        let pattern = #"(?m)^(?:public |package |internal |final |indirect )*(?:struct|enum|class|protocol|typealias|actor|func|let|var)\s+([A-Za-z_][A-Za-z0-9_]*)"#
        let re = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    /// Identifiers outside comments and string literals.
    static func identifiers(_ text: String) -> Set<String> {
        let stripped = text.replacingOccurrences(of: #"//[^\n]*|"(?:[^"\\\n]|\\.)*""#, with: " ", options: .regularExpression)
        let re = try! NSRegularExpression(pattern: #"\b[A-Za-z_][A-Za-z0-9_]*\b"#)
        let ns = stripped as NSString
        return Set(re.matches(in: stripped, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) })
    }

    @Test func everyFolderIsOnAFloor() throws {
        for s in try Self.sources() where s.folder != "." {
            #expect(Self.floor(of: s.folder) != nil, "\(s.file): folder \(s.folder) is not on a floor of LayeringTests.floors")
        }
    }

    @Test func foldersImportOnlyDownward() throws {
        let files = try Self.sources()
        #expect(files.count > 50)
        var owner: [String: Set<String>] = [:]
        for f in files { for d in Self.declarations(f.text) { owner[d, default: []].insert(f.folder) } }
        var violations: [String] = []
        for f in files {
            guard let mine = Self.floor(of: f.folder) else { continue }
            for id in Self.identifiers(f.text) {
                for other in owner[id] ?? [] where other != f.folder {
                    guard let theirs = Self.floor(of: other), theirs >= mine else { continue }
                    violations.append("\(f.file) names \(id) from \(other) (floor \(theirs), not below \(f.folder)'s \(mine))")
                }
            }
        }
        #expect(violations.isEmpty, "\(violations.sorted().joined(separator: "\n"))")
    }

    @Test func filesStayShort() throws {
        for f in try Self.sources() where !f.file.hasSuffix("EmbeddedSpecs.swift") {
            let lines = f.text.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 520, "\(f.file) has \(lines) lines (split it by what it holds)")
        }
    }
}
