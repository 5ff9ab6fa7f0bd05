import Foundation

/// One swept parameter and its values, parsed from `NAME=SPEC` where SPEC is
/// - a list: `448,896,1792,3584`;
/// - a geometric range: `256..8192*2` (256, 512, ..., 8192);
/// - an arithmetic range: `1000..4000+500` (1000, 1500, ..., 4000).
/// Range ends are inclusive when the last step lands on them (within 1e-9 relative).
public struct SweepAxis: Sendable, Equatable {
    public var name: String
    public var values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }

    /// The most points one axis may have (a guard against `1..1e9+1`).
    public static let maximumPoints = 10_000

    /// Parses `NAME=SPEC`; errors are one line naming the problem.
    public static func parse(_ text: String) throws(SweepSyntaxError) -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw SweepSyntaxError(text, "expected NAME=VALUES (e.g. d2d.bandwidthGBps=448,896 or chips=256..8192*2)")
        }
        let name = String(text[..<eq]).trimmingSpaces
        let spec = String(text[text.index(after: eq)...]).trimmingSpaces
        guard !name.isEmpty else { throw SweepSyntaxError(text, "missing parameter name before '='") }
        guard !spec.isEmpty else { throw SweepSyntaxError(text, "missing values after '='") }
        func number(_ s: Substring) throws(SweepSyntaxError) -> Double {
            let t = String(s).trimmingSpaces.replacingUnderscores
            guard let d = Double(t), d.isFinite else { throw SweepSyntaxError(text, "'\(s)' is not a number") }
            return d
        }
        if let dots = spec.range(of: "..") {
            let start = try number(spec[..<dots.lowerBound])
            let rest = spec[dots.upperBound...]
            guard let opIndex = rest.lastIndex(where: { $0 == "*" || $0 == "+" }), opIndex != rest.startIndex else {
                throw SweepSyntaxError(text, "a range needs a step: a..b*ratio (geometric) or a..b+step (arithmetic)")
            }
            let end = try number(rest[..<opIndex])
            let step = try number(rest[rest.index(after: opIndex)...])
            guard end >= start else { throw SweepSyntaxError(text, "range end \(formatQuantity(end)) is below its start \(formatQuantity(start))") }
            var values: [Double] = []
            let tolerance = 1e-9 * max(abs(end), 1)
            if rest[opIndex] == "*" {
                guard start > 0 else { throw SweepSyntaxError(text, "a geometric range must start above 0") }
                guard step > 1 else { throw SweepSyntaxError(text, "a geometric ratio must be above 1, got \(formatQuantity(step))") }
                var v = start
                while v <= end + tolerance {
                    values.append(v)
                    if values.count > maximumPoints { throw SweepSyntaxError(text, "more than \(maximumPoints) points") }
                    v *= step
                }
            } else {
                guard step > 0 else { throw SweepSyntaxError(text, "an arithmetic step must be above 0, got \(formatQuantity(step))") }
                let count = ((end - start) / step + 1e-9).rounded(.down) + 1
                guard count <= Double(maximumPoints) else { throw SweepSyntaxError(text, "more than \(maximumPoints) points") }
                for i in 0..<Int(count) { values.append(start + Double(i) * step) }
            }
            return SweepAxis(name: name, values: values)
        }
        var values: [Double] = []
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            guard !String(part).trimmingSpaces.isEmpty else { throw SweepSyntaxError(text, "empty value in the list") }
            values.append(try number(part))
        }
        if values.count > maximumPoints { throw SweepSyntaxError(text, "more than \(maximumPoints) points") }
        return SweepAxis(name: name, values: values)
    }

    /// True when the values span more than a factor of 10 (a chart uses a log axis).
    public var spansDecade: Bool {
        guard let lo = values.min(), let hi = values.max(), lo > 0 else { return false }
        return hi / lo > 10
    }
}

/// A malformed `--vary` value.
public struct SweepSyntaxError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var message: String
    public init(_ text: String, _ message: String) {
        self.text = text
        self.message = message
    }
    public var description: String { "malformed sweep '\(text)': \(message)" }
}

/// One point of a sweep: the value of each swept parameter, in axis order.
public struct SweepPoint: Sendable, Equatable {
    public var values: [(name: String, value: Double)]

    public init(_ values: [(name: String, value: Double)]) { self.values = values }

    public subscript(_ name: String) -> Double? { values.first { $0.name == name }?.value }

    public static func == (a: SweepPoint, b: SweepPoint) -> Bool {
        a.values.count == b.values.count && zip(a.values, b.values).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The grid of points over one or two axes (first axis outermost). No axes: one empty point.
    public static func grid(_ axes: [SweepAxis]) -> [SweepPoint] {
        var points = [SweepPoint([])]
        for axis in axes {
            var next: [SweepPoint] = []
            for p in points { for v in axis.values { next.append(SweepPoint(p.values + [(axis.name, v)])) } }
            points = next
        }
        return points
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
