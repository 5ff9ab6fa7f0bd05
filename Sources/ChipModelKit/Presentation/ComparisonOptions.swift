/// How a table of several chips is compared (`estimate --like-for-like`, `--baseline ID`): the
/// format every chip ran in when the run is like for like, each chip's default format (so a chip
/// forced off it is visible), and the chip the `x vs ID` column divides by.
public struct ComparisonOptions: Sendable {
    /// The format every chip ran in (`--like-for-like`), or nil when each ran its default.
    public var likeForLike: NumberFormat?
    /// Each chip's default format (what it runs in without `--like-for-like` or `--precision`).
    public var defaultFormats: [String: NumberFormat]
    /// The chip of the `x vs ID` column.
    public var baselineID: String?

    public init(likeForLike: NumberFormat? = nil, defaultFormats: [String: NumberFormat] = [:], baselineID: String? = nil) {
        self.likeForLike = likeForLike
        self.defaultFormats = defaultFormats
        self.baselineID = baselineID
    }

    /// The chip's default format when it ran in another one, else nil.
    public func forcedOff(_ chipID: String, ran: NumberFormat?) -> NumberFormat? {
        guard let ran, let d = defaultFormats[chipID], d != ran else { return nil }
        return d
    }

    /// `fp8 (default bf16)` when the chip ran off its default format.
    func formatCell(_ chipID: String, ran: NumberFormat?, label: String) -> String {
        guard let d = forcedOff(chipID, ran: ran) else { return label }
        return label + " (default \(d.rawValue))"
    }

    /// The header of the baseline column (`x vs a100-sxm4-80gb`).
    var baselineHeader: String? { baselineID.map { "x vs \($0)" } }
    /// The CSV names of the baseline columns.
    var baselineCSVHeaders: [String] {
        guard let b = baselineID else { return [] }
        return ["x_vs_\(b)", "x_vs_\(b)_like_for_like"]
    }
}

/// One row's throughput per chip against the baseline chip's, and whether the two ran in the
/// same formats (a ratio across formats is marked, never silently mixed).
public struct BaselineRatio: Sendable {
    public var ratio: Double?
    public var sameFormats: Bool
    /// The formats of the row and of the baseline (`fp8`, `bf16 / KV bf16`).
    public var rowFormats: String
    public var baselineFormats: String

    /// The ratio of each row to the baseline row: `rows` are (chip, throughput per chip, the
    /// formats as shown, and every format the row ran in: weights, GEMMs, KV cache).
    public static func compute(_ rows: [(chipID: String, perChip: Double?, formats: String, key: String)],
                               baselineID: String?) -> [String: BaselineRatio] {
        guard let b = baselineID, let base = rows.first(where: { $0.chipID == b }) else { return [:] }
        var out: [String: BaselineRatio] = [:]
        for r in rows {
            var ratio: Double?
            if let v = r.perChip, let bv = base.perChip, v.isFinite, bv.isFinite, bv > 0 { ratio = v / bv }
            out[r.chipID] = BaselineRatio(ratio: ratio, sameFormats: r.key == base.key, rowFormats: r.formats,
                                          baselineFormats: base.formats)
        }
        return out
    }

    /// `5.11x`, or `5.11x (fp8 vs bf16)` when the formats differ; `-` without a ratio.
    public var cell: String {
        guard let ratio else { return "-" }
        let x = formatQuantity(ratio, decimals: ratio >= 10 ? 1 : 2) + "x"
        return sameFormats ? x : "\(x) (\(rowFormats) vs \(baselineFormats))"
    }

    /// The CSV cells: the ratio (empty without one) and `yes`/`no` for same formats.
    var csvCells: [String] { [ratio.map { csvNumber($0) } ?? "", sameFormats ? "yes" : "no"] }

    var jsonMembers: [(String, JSONValue)] {
        [("ratio", .num(ratio)), ("likeForLike", .bool(sameFormats)), ("formats", .string(rowFormats)),
         ("baselineFormats", .string(baselineFormats))]
    }
}

/// One number as a CSV cell: empty for a missing or non-finite value, else a plain decimal
/// with six significant digits (no thousands separators, no units, no exponent above 1e-6).
public func csvNumber(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "" }
    if x == 0 { return "0" }
    if abs(x) < 1e-6 { return "\(x)" }
    var s = formatSignificant(x, digits: 6)
    guard s.contains(".") else { return s }
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
}
