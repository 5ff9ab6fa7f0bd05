/// Builds JSON output without Foundation's serializer, so key order is stable and no NaN or
/// infinity can be written (non-finite numbers become `null`).
public extension JSONValue {
    static func num(_ x: Double?) -> JSONValue {
        guard let x, x.isFinite else { return .null }
        return .number(x)
    }
    static func int(_ x: Int?) -> JSONValue { x.map { .number(Double($0)) } ?? .null }
    static func str(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}
