import Foundation

/// One problem found in an input file: which file, which key path, what is wrong.
public struct InputProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Dotted key path inside the file (`memory.bandwidthGBps`, `cases[3].system.chip`);
    /// empty for a problem with the whole file (a JSON syntax error).
    public var keyPath: String
    public var message: String

    public init(file: String, keyPath: String, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
    }

    /// One line: `file: key.path: message` (line breaks and control characters in names
    /// taken from the input are escaped, so one problem is always one line).
    public var description: String {
        oneLine(keyPath.isEmpty ? "\(file): \(message)" : "\(file): \(keyPath): \(message)")
    }
}

/// `s` made safe to print as one line of a diagnostic: line breaks and other control
/// characters are escaped (`\n`, `\u{1B}`), and a line longer than `limit` characters
/// (an enormous key copied from the input) keeps its start and end around an ellipsis.
public func oneLine(_ s: String, limit: Int = 2_000) -> String {
    var needsWork = s.utf8.count > limit
    if !needsWork {
        for u in s.unicodeScalars where u.value < 0x20 || u.value == 0x7F || u.properties.generalCategory == .lineSeparator
            || u.properties.generalCategory == .paragraphSeparator || u.value == 0x85 {
            needsWork = true
            break
        }
    }
    guard needsWork else { return s }
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 || u.value == 0x7F || u.value == 0x85 || u.properties.generalCategory == .lineSeparator
                || u.properties.generalCategory == .paragraphSeparator {
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    if out.count > limit {
        let keep = max(1, (limit - 40) / 2)
        out = String(out.prefix(keep)) + " ...(\(out.count - 2 * keep) characters)... " + String(out.suffix(keep))
    }
    return out
}

/// Every problem found in a set of input files; thrown only when there is at least one.
/// Loading never stops at the first problem, and nothing is half-loaded.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var problems: [InputProblem]
    public init(_ problems: [InputProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Collects problems while a document is read.
///
/// At most `maximumProblems` are kept per file, then one line says the rest were left out: a
/// generated file with a million bad keys gets a readable answer, in time.
public final class ProblemLog: @unchecked Sendable {
    public static let maximumProblems = 100
    public let file: String
    public private(set) var problems: [InputProblem] = []
    /// Problems left out after `maximumProblems`.
    public private(set) var omitted = 0
    public init(file: String) { self.file = file }
    public var isFull: Bool { omitted > 0 }
    /// The loader work counter bound when the log was created (tests only; see `LoaderWorkCounter`).
    package let workCounter = LoaderWorkCounter.current
    public func add(_ keyPath: String, _ message: String) {
        if problems.count < ProblemLog.maximumProblems {
            problems.append(InputProblem(file: file, keyPath: keyPath, message: message))
            return
        }
        if omitted == 0 {
            problems.append(InputProblem(file: file, keyPath: "", message: "more problems not shown (stopped after \(ProblemLog.maximumProblems))"))
        }
        omitted += 1
    }
}

/// Reads one JSON object with typed accessors; records a problem (with its key path) for every
/// missing required key, wrong type, bad number and, in `finish()`, every unknown key.
public final class ObjectReader {
    public let path: String
    public let log: ProblemLog
    private let members: [(String, JSONValue)]
    /// Which members an accessor asked for (by index: cheaper than a set of names).
    private var used: [Bool]
    /// Member index by key, built on the first lookup in an object with more than
    /// `indexedAbove` members: a lookup is then one hash probe instead of a scan, so reading
    /// every key of a large object (a spec's `sources` table) is linear, not quadratic.
    private var index: [String: Int]?
    static let indexedAbove = 8
    /// Keys this reader knows even when absent, for "did you mean" suggestions.
    private var known = [String]()

    public init?(_ value: JSONValue, path: String, log: ProblemLog) {
        self.path = path
        self.log = log
        guard case let .object(members) = value else {
            log.add(path, "expected an object, found \(value.typeName)")
            return nil
        }
        self.members = members
        self.used = Array(repeating: false, count: members.count)
    }

    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public var keys: [String] { members.map(\.0) }

    public func has(_ key: String) -> Bool {
        guard let i = position(of: key) else { return false }
        return members[i].1 != .null
    }

    /// The index of `key` among the members (keys are unique: the parser rejects duplicates;
    /// the first wins in a document built in code).
    private func position(of key: String) -> Int? {
        if members.count <= Self.indexedAbove {
            log.workCounter?.lookupSteps += members.count
            return members.firstIndex { $0.0 == key }
        }
        if index == nil {
            var built = [String: Int](minimumCapacity: members.count)
            for (i, m) in members.enumerated() where built[m.0] == nil { built[m.0] = i }
            index = built
            log.workCounter?.lookupSteps += members.count
        }
        log.workCounter?.lookupSteps += 1
        return index?[key]
    }

    /// The raw value, marking the key as known. `nil` when absent or JSON null.
    public func raw(_ key: String) -> JSONValue? {
        known.append(key)
        guard let i = position(of: key) else { return nil }
        used[i] = true
        if case .null = members[i].1 { return nil }
        return members[i].1
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        guard let v = raw(key) else {
            if required { log.add(keyPath(key), "required key is missing") }
            return nil
        }
        guard case let .string(s) = v else {
            log.add(keyPath(key), "expected a string, found \(v.typeName)")
            return nil
        }
        if required && s.allSatisfy(\.isWhitespace) {
            log.add(keyPath(key), "must not be empty")
            return nil
        }
        return s
    }

    /// A finite number. `positive` also rejects zero and negatives; `nonNegative` only negatives.
    public func number(_ key: String, required: Bool = false, positive: Bool = false, nonNegative: Bool = false) -> Double? {
        guard let v = raw(key) else {
            if required { log.add(keyPath(key), "required key is missing") }
            return nil
        }
        return Self.checkNumber(v, keyPath: keyPath(key), log: log, positive: positive, nonNegative: nonNegative)
    }

    static func checkNumber(_ v: JSONValue, keyPath: String, log: ProblemLog, positive: Bool, nonNegative: Bool) -> Double? {
        guard case let .number(n) = v else {
            if case let .string(s) = v, ["nan", "inf", "infinity", "-inf", "-infinity", "+inf"].contains(s.lowercased()) {
                log.add(keyPath, "'\(s)' is not a number (NaN and infinity are not allowed)")
            } else {
                log.add(keyPath, "expected a number, found \(v.typeName)")
            }
            return nil
        }
        guard n.isFinite else { log.add(keyPath, "must be finite"); return nil }
        if positive && !(n > 0) { log.add(keyPath, "must be positive, found \(JSONValue.formatNumber(n))"); return nil }
        if nonNegative && n < 0 { log.add(keyPath, "must not be negative, found \(JSONValue.formatNumber(n))"); return nil }
        if positive && n < 1e-30 { log.add(keyPath, "is implausibly small (\(n))"); return nil }
        if abs(n) > 1e18 { log.add(keyPath, "is implausibly large (\(n))"); return nil }
        return n
    }

    /// A whole number in `range` (checked before converting, so no input can trap).
    public func integer(_ key: String, required: Bool = false, range: ClosedRange<Int> = 1...Int(Int32.max)) -> Int? {
        guard let n = number(key, required: required) else { return nil }
        guard let i = exactInt(n), range.contains(i) else {
            log.add(keyPath(key), "must be a whole number in \(range.lowerBound)...\(range.upperBound), found \(JSONValue.formatNumber(n))")
            return nil
        }
        return i
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let v = raw(key) else {
            if required { log.add(keyPath(key), "required key is missing") }
            return nil
        }
        guard case let .bool(b) = v else {
            log.add(keyPath(key), "expected true or false, found \(v.typeName)")
            return nil
        }
        return b
    }

    public func object(_ key: String, required: Bool = false) -> ObjectReader? {
        guard let v = raw(key) else {
            if required { log.add(keyPath(key), "required key is missing") }
            return nil
        }
        return ObjectReader(v, path: keyPath(key), log: log)
    }

    public func array(_ key: String, required: Bool = false) -> [JSONValue]? {
        guard let v = raw(key) else {
            if required { log.add(keyPath(key), "required key is missing") }
            return nil
        }
        guard case let .array(a) = v else {
            log.add(keyPath(key), "expected an array, found \(v.typeName)")
            return nil
        }
        return a
    }

    public func stringArray(_ key: String, required: Bool = false) -> [String]? {
        guard let items = array(key, required: required) else { return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case let .string(s) = item else {
                log.add("\(keyPath(key))[\(i)]", "expected a string, found \(item.typeName)")
                continue
            }
            out.append(s)
        }
        return out
    }

    /// One of the given spellings.
    public func choice(_ key: String, from options: [String], required: Bool = false) -> String? {
        guard let s = string(key, required: required) else { return nil }
        guard options.contains(s) else {
            log.add(keyPath(key), "'\(s)' is not one of: \(options.joined(separator: ", "))")
            return nil
        }
        return s
    }

    /// Marks a key as read without reading it (for keys handled elsewhere).
    public func accept(_ keys: String...) {
        for k in keys {
            known.append(k)
            if let i = position(of: k) { used[i] = true }
        }
    }

    /// Reports every key that no accessor asked for, with the nearest known key.
    public func finish() {
        log.workCounter?.lookupSteps += members.count
        for (i, (key, _)) in members.enumerated() where !used[i] {
            var message = "unknown key"
            if log.isFull { log.add(keyPath(key), message); continue }
            log.workCounter?.lookupSteps += known.count
            if let near = nearestNames(to: key, in: known, limit: 1).first {
                message += " (did you mean '\(near)'?)"
            }
            log.add(keyPath(key), message)
        }
    }
}

/// An unknown id, with the nearest known ones.
public struct UnknownIDError: Error, Sendable, CustomStringConvertible {
    public var kind: String
    public var id: String
    public var suggestions: [String]
    public init(kind: String, id: String, suggestions: [String]) {
        self.kind = kind
        self.id = id
        self.suggestions = suggestions
    }
    public var description: String {
        var s = "unknown \(kind) '\(id)'"
        if !suggestions.isEmpty { s += " (did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?)" }
        return s
    }
}
