/// A spec document to load: where it came from (for messages) and its bytes.
public struct SpecDocument: Sendable {
    public var file: String
    public var bytes: [UInt8]
    public init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }
    public init(file: String, text: String) {
        self.init(file: file, bytes: Array(text.utf8))
    }
}
