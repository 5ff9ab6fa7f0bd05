/// A pretty-printed JSON object whose last-but-tail member is a long array, written piece by
/// piece as the array's items arrive: `begin()`, then `item(_:)` per element, then
/// `end(tail:)`. The concatenated pieces are byte-for-byte `JSONValue.object(head + [(key,
/// .array(items))] + tail).serialized(pretty: true)`, without holding the items.
public struct JSONArrayStream: Sendable {
    public let head: [(String, JSONValue)]
    public let arrayKey: String
    public private(set) var count = 0

    public init(head: [(String, JSONValue)], arrayKey: String) {
        self.head = head
        self.arrayKey = arrayKey
    }

    /// `value` pretty-printed as it appears `level` objects deep (strings never hold a raw
    /// line break, so re-indenting the lines is exact).
    static func nested(_ value: JSONValue, level: Int) -> String {
        value.serialized(pretty: true).replacingOccurrences(of: "\n", with: "\n" + String(repeating: "  ", count: level))
    }

    public func begin() -> String {
        var s = "{"
        for (i, (k, v)) in head.enumerated() {
            s += (i > 0 ? "," : "") + "\n  " + JSONValue.quote(k) + ": " + Self.nested(v, level: 1)
        }
        return s + (head.isEmpty ? "" : ",") + "\n  " + JSONValue.quote(arrayKey) + ": ["
    }

    public mutating func item(_ value: JSONValue) -> String {
        defer { count += 1 }
        return (count > 0 ? "," : "") + "\n    " + Self.nested(value, level: 2)
    }

    public func end(tail: [(String, JSONValue)] = []) -> String {
        var s = count == 0 ? "]" : "\n  ]"
        for (k, v) in tail { s += ",\n  " + JSONValue.quote(k) + ": " + Self.nested(v, level: 1) }
        return s + "\n}"
    }
}
