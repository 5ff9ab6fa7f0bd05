import Foundation
import ChipModelKit

/// A usage error: bad flags or values. Exits 64 (EX_USAGE) with the usage line.
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A failure that is not a usage error (an estimate that cannot be made). Exits 1.
public struct RunError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }
    public var description: String { message }
}

/// One option a command accepts.
public struct OptionSpec: Sendable {
    public var name: String          // "--chip"
    public var short: String?        // "-c"
    public var valueName: String?    // nil for a flag
    public var repeatable: Bool
    public var help: String

    public static func flag(_ name: String, short: String? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, valueName: nil, repeatable: false, help: help)
    }
    public static func value(_ name: String, _ valueName: String, repeatable: Bool = false, _ help: String) -> OptionSpec {
        OptionSpec(name: name, short: nil, valueName: valueName, repeatable: repeatable, help: help)
    }
}

/// Parsed command-line arguments of one command.
public struct ParsedArguments: Sendable {
    public var positionals: [String] = []
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []

    public func has(_ flag: String) -> Bool { flags.contains(flag) }
    public func value(_ name: String) -> String? { values[name]?.last }
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// A whole number in `range`, or a usage error naming the option.
    public func int(_ name: String, range: ClosedRange<Int> = 1...Int(Int32.max)) throws(UsageError) -> Int? {
        guard let s = value(name) else { return nil }
        return try parseInt(s, option: name, range: range)
    }

    /// A finite number in `range`.
    public func double(_ name: String, range: ClosedRange<Double> = -1e18...1e18) throws(UsageError) -> Double? {
        guard let s = value(name) else { return nil }
        return try parseDouble(s, option: name, range: range)
    }

    public func choice(_ name: String, from options: [String]) throws(UsageError) -> String? {
        guard let s = value(name) else { return nil }
        guard options.contains(s) else {
            var msg = "invalid value '\(s)' for \(name); expected one of: \(options.joined(separator: ", "))"
            if let near = nearestNames(to: s, in: options, limit: 1).first { msg += " (did you mean '\(near)'?)" }
            throw UsageError(msg)
        }
        return s
    }
}

/// Parses a whole number: `1024`, `1_024`, `1e3`, `2.0` (not `1k`, not hex); never traps.
public func parseInt(_ s: String, option: String, range: ClosedRange<Int>) throws(UsageError) -> Int {
    let t = s.replacingOccurrences(of: "_", with: "")
    let outOfRange = UsageError("\(option) must be in \(range.lowerBound)...\(range.upperBound), got '\(s)'")
    if let n = Int(t) {
        guard range.contains(n) else { throw outOfRange }
        return n
    }
    // `1e12`, `2.0`, or digits beyond Int: checked by `Int(exactly:)`, which never traps
    // (`Int(d)` traps at 2^63, which `d <= Double(Int.max)` lets through).
    let body = t.drop(while: { $0 == "-" || $0 == "+" })
    let digits = !body.isEmpty && body.allSatisfy { $0.isASCII && $0.isNumber }
    if digits { throw outOfRange }  // an integer literal beyond Int (not rounded through Double)
    if let d = Double(t), d.isFinite, d == d.rounded(), !t.lowercased().hasPrefix("0x"), !t.lowercased().hasPrefix("-0x") {
        guard let n = exactInt(d), range.contains(n) else { throw outOfRange }
        return n
    }
    throw UsageError("\(option) expects a whole number, got '\(s)'")
}

public func parseDouble(_ s: String, option: String, range: ClosedRange<Double>) throws(UsageError) -> Double {
    let t = s.replacingOccurrences(of: "_", with: "")
    guard !t.lowercased().contains("0x"), let d = Double(t), d.isFinite else {
        throw UsageError("\(option) expects a number, got '\(s)'")
    }
    guard range.contains(d) else {
        throw UsageError("\(option) must be in \(formatQuantity(range.lowerBound))...\(formatQuantity(range.upperBound)), got '\(s)'")
    }
    return d
}

/// Splits argv against a command's options: `--name value`, `--name=value`, flags, `--`.
public func parseArguments(_ args: [String], options: [OptionSpec], maxPositionals: Int) throws(UsageError) -> ParsedArguments {
    var parsed = ParsedArguments()
    var i = 0
    var onlyPositionals = false
    while i < args.count {
        let arg = args[i]
        i += 1
        if onlyPositionals || !arg.hasPrefix("-") || arg == "-" || isNegativeNumber(arg) {
            parsed.positionals.append(arg)
            continue
        }
        if arg == "--" { onlyPositionals = true; continue }
        var name = arg
        var inline: String?
        if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
            name = String(arg[..<eq])
            inline = String(arg[arg.index(after: eq)...])
        }
        guard let spec = options.first(where: { $0.name == name || $0.short == name }) else {
            var msg = "unknown option '\(name)'"
            if let near = nearestNames(to: name, in: options.map(\.name), limit: 1).first { msg += " (did you mean '\(near)'?)" }
            throw UsageError(msg)
        }
        if spec.valueName == nil {
            if inline != nil { throw UsageError("option '\(spec.name)' takes no value") }
            parsed.flags.insert(spec.name)
            continue
        }
        let value: String
        if let inline { value = inline } else {
            guard i < args.count, !(args[i].hasPrefix("--") && args[i].count > 2) else {
                throw UsageError("missing value for '\(spec.name) <\(spec.valueName!)>'")
            }
            value = args[i]
            i += 1
        }
        if !spec.repeatable, parsed.values[spec.name] != nil {
            throw UsageError("option '\(spec.name)' given more than once")
        }
        parsed.values[spec.name, default: []].append(value)
    }
    if parsed.positionals.count > maxPositionals {
        let extra = parsed.positionals[maxPositionals]
        throw UsageError(maxPositionals == 0 ? "unexpected argument '\(extra)'" : "unexpected extra argument '\(extra)'")
    }
    return parsed
}

private func isNegativeNumber(_ s: String) -> Bool {
    s.count > 1 && s.hasPrefix("-") && Double(s) != nil
}
