import Testing
@testable import ChipModelKit

@Suite struct JSONValueTests {
    @Test func parsesAndKeepsKeyOrder() throws {
        let v = try JSONValue.parse(#"{"b": 1, "a": [true, null, "x\u00e9"], "c": -2.5e3}"#)
        #expect(v.objectMembers?.map(\.0) == ["b", "a", "c"])
        #expect(v["c"] == .number(-2500))
        #expect(v["a"]?.arrayValue?[2] == .string("xé"))
    }

    @Test(arguments: [
        ("{\"a\": 1, \"a\": 2}", "duplicate key 'a'"),
        ("{\"a\": NaN}", "NaN"),
        ("{\"a\": 1e400}", "out of range"),
        ("{\"a\": 01}", "leading zeros"),
        ("{\"a\": 1", "end of file"),
        ("", "empty"),
        ("[1] x", "after the JSON value"),
        (String(repeating: "[", count: 200), "nesting deeper"),
    ])
    func rejectsBadInput(text: String, message: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
        do { _ = try JSONValue.parse(text) } catch { #expect(error.message.contains(message), "\(error)") }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x7B, 0xFF, 0x7D]) }
    }

    @Test func roundTrips() throws {
        let text = #"{"x": [1, 2.5, "q\"uote"], "y": {"z": false}}"#
        let v = try JSONValue.parse(text)
        #expect(try JSONValue.parse(v.serialized()) == v)
        #expect(try JSONValue.parse(v.serialized(pretty: false)) == v)
    }
}
