/// An estimate of one measurement case's metric, with what it was made from.
public struct CaseEstimate: Sendable {
    /// The estimate in the case's metric and unit.
    public var value: Double
    /// The plan the estimator used (searched or given), as JSON members in a stable order,
    /// e.g. `[("tp", 8), ("pp", 8), ("microBatch", 1), ("recompute", "selective")]`.
    public var plan: [(String, JSONValue)]
    /// The full breakdown for `chipmodel validate --explain ID`, one line per item.
    public var explanation: [String]
    /// True when the chip's spec values used are estimated or ranged.
    public var usesEstimatedSpecs: Bool
    /// The plan in the compact notation tables print (`TP8 PP8 DP1 mb1 v3 rc:selective z0 sp ov:tp+pp`).
    public var planLabel: String? = nil

    public init(value: Double, plan: [(String, JSONValue)], explanation: [String], usesEstimatedSpecs: Bool) {
        self.value = value
        self.plan = plan
        self.explanation = explanation
        self.usesEstimatedSpecs = usesEstimatedSpecs
    }
}

/// Something that estimates measurement cases of one kind (training or inference). The
/// validator dispatches each case to the estimator of its kind; a thrown error becomes the
/// case's `failure` reason and never stops the other cases.
public protocol CaseEstimating: Sendable {
    func estimate(_ measurementCase: MeasurementCase, catalog: ChipCatalog, zoo: ModelZoo) throws -> CaseEstimate
}

extension MeasurementCase {
    /// The model shape: inline, or from the zoo (an unknown id throws `UnknownIDError`).
    public func resolveModel(in zoo: ModelZoo) throws -> ModelSpec {
        switch model {
        case let .inline(m): return m
        case let .builtIn(id): return try zoo.model(id)
        }
    }
}
