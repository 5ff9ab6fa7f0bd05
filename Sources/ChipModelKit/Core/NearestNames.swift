/// Levenshtein distance between two strings (by Unicode scalars), for "did you mean".
/// Inputs longer than 256 scalars are compared by their first 256.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars.prefix(256)), y = Array(b.unicodeScalars.prefix(256))
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// The candidates closest to `name`: those within a distance of about a third of the name's
/// length, or that contain it, nearest first, at most `limit`.
public func nearestNames(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
    let lowered = name.lowercased()
    let threshold = max(2, lowered.count / 3)
    var scored: [(Int, String)] = []
    for c in Set(candidates) {
        let lc = c.lowercased()
        var d = editDistance(lowered, lc)
        if !lowered.isEmpty && (lc.contains(lowered) || lowered.contains(lc)) { d = min(d, 1) }
        if d <= threshold { scored.append((d, c)) }
    }
    scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    return scored.prefix(limit).map(\.1)
}
