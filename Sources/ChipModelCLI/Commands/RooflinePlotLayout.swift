import Foundation

/// The text already drawn on the roofline plot, as boxes measured with a font-metric
/// approximation (0.6 x the font size per character): a label is drawn only where it overlaps
/// no earlier one, so labels of several chips never pile onto each other or onto the
/// operations' numbers (a number left out still has its marker and tooltip).
struct PlotTextBoxes {
    typealias Box = (x0: Double, y0: Double, x1: Double, y1: Double)
    private(set) var boxes: [Box] = []

    static let charWidth = 0.6

    /// The boxes of a text at (x, y) (baseline), anchored start/middle/end, rotated by
    /// `angle` degrees about (x, y): one box per character along the baseline.
    static func boxes(_ text: String, x: Double, y: Double, size: Double, anchor: String = "start", angle: Double = 0) -> [Box] {
        let cw = charWidth * size, w = cw * Double(text.count)
        let start = anchor == "middle" ? -w / 2 : anchor == "end" ? -w : 0
        if angle == 0 { return [(x + start, y - 0.8 * size, x + start + w, y + 0.25 * size)] }
        let (c, s) = (cos(angle * .pi / 180), sin(angle * .pi / 180))
        return (0..<text.count).map { k in
            let d = start + (Double(k) + 0.5) * cw
            let (cx, cy) = (x + d * c + 0.3 * size * s, y + d * s - 0.3 * size * c)
            return (cx - cw / 2, cy - 0.5 * size, cx + cw / 2, cy + 0.5 * size)
        }
    }

    func free(_ candidate: [Box]) -> Bool {
        !candidate.contains { a in boxes.contains { b in a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 } }
    }

    /// Records the boxes and returns true when they overlap nothing drawn; else false.
    mutating func claim(_ candidate: [Box]) -> Bool {
        guard free(candidate) else { return false }
        boxes += candidate
        return true
    }
}
