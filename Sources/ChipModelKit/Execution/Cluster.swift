/// What an estimate runs on: one kind of chip (its parameters at one spec corner) times a
/// count, arranged in scale-up domains joined by the scale-out network. Both estimators take
/// a `Cluster` (`TrainingEstimator.estimate(_:on:)`, `InferenceEstimator.estimate(_:on:)`).
///
/// The topology is the two-tier one every chip spec describes: `scaleUpDomain` chips share
/// the scale-up fabric (NVLink/NVSwitch, BLink, HCCS, ICI, a supernode), domains talk over
/// each chip's scale-out NIC.
public struct Cluster: Sendable, Equatable {
    public var chip: ChipParameters
    /// Chips in the cluster.
    public var count: Int
    /// Chips per scale-up domain when it differs from the chip spec's default (nil: the
    /// spec's `scaleUp.domainSize`; 1 when the spec has no scale-up link).
    public var scaleUpDomainOverride: Int?
    /// The scale-up wiring when it is not a switch (a system's torus, mesh, ring or full mesh;
    /// `ScaleUpFabric`); nil: the switched two-tier network.
    public var fabric: ScaleUpFabric?

    public init(chip: ChipParameters, count: Int, scaleUpDomain: Int? = nil, fabric: ScaleUpFabric? = nil) {
        self.chip = chip
        self.count = count
        scaleUpDomainOverride = scaleUpDomain
        self.fabric = fabric
    }

    /// Chips per scale-up domain as the estimators use it.
    public var scaleUpDomain: Int {
        max(1, scaleUpDomainOverride ?? (chip.scaleUpPerDirectionGBps == nil ? 1 : chip.scaleUpDomainSize))
    }

    /// The same cluster with another chip (another corner or a derived chip).
    public func with(chip: ChipParameters) -> Cluster {
        var c = self
        c.chip = chip
        return c
    }

    /// The same cluster with another chip count.
    public func with(count: Int) -> Cluster {
        var c = self
        c.count = count
        return c
    }

    /// `1024 x br166` (and the domain when overridden).
    public var label: String {
        "\(count) x \(chip.id)" + (scaleUpDomainOverride.map { " (scale-up domain \($0))" } ?? "") + (fabric.map { ", \($0.label)" } ?? "")
    }
}
