/// What bounds a training step: the largest part of its breakdown (`StepBreakdown`): compute
/// (forward + backward + recompute), the pipeline bubble, or the exposed time of one kind of
/// communication.
public func trainingBinding(_ b: StepBreakdown) -> String {
    let parts: [(String, Double)] = [
        ("compute", b.forward + b.backward + b.recompute),
        ("pipeline bubble", b.bubble),
        ("TP communication", b.tpExposed),
        ("PP communication", b.ppExposed),
        ("DP communication", b.dpExposed),
        ("EP all-to-all", b.epExposed),
        ("CP ring", b.cpExposed),
        ("optimizer", b.optimizer),
        ("overhead", b.overhead),
    ]
    var best = parts[0]
    for p in parts.dropFirst() where p.1 > best.1 { best = p }
    return best.0
}
