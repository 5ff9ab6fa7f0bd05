/// The training levers (`TrainingLevers`) as `estimate` and `whatif` show them: one line per
/// chip under the table, a `levers` member in JSON.
public enum LeversReport {
    /// `br166: what would help most (+10% of each, ...): D2D bandwidth +6.1%, ...`.
    public static func line(chipID: String, _ l: TrainingLevers) -> String { "\(chipID): \(l.line)" }

    /// `{"perturbation": 0.1, "top": "d2d", "levers": [{"name": "d2d", "gain": 0.061, ...}], ...}`.
    public static func json(_ l: TrainingLevers) -> JSONValue {
        .object([
            ("perturbation", .num(l.perturbation)),
            ("method", .string("each resource scaled by 1 + perturbation on the nominal chip, plan searched again; gain = tokens/s/chip after / before - 1; bubble: the step with a bubble smaller by the perturbation")),
            ("top", .str(l.top?.name)),
            ("baselineTokensPerSecondPerChip", .num(l.baselineTokensPerSecondPerChip)),
            ("bubbleShare", .num(l.bubbleShare)),
            ("exposedCommunicationShare", .num(l.exposedCommunicationShare)),
            ("levers", .array(l.levers.map(leverJSON))),
        ])
    }

    public static func leverJSON(_ g: LeverGain) -> JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(g.name)), ("label", .string(g.label)), ("gain", .num(g.gain)),
                                              ("tokensPerSecondPerChip", .num(g.tokensPerSecondPerChip))]
        if let p = g.plan { members.append(("plan", .object(p.jsonMembers))) }
        if let f = g.failure { members.append(("failure", .string(f))) }
        return .object(members)
    }
}
