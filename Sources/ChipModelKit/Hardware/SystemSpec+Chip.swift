/// A system's chip with the system's links: what an estimate on `--system ID` runs on.
extension SystemSpec {
    /// Scale-out bandwidth per chip as a spec value, GB/s per direction:
    /// `nicsPerChip x nicLineRateGbps / 8 / oversubscription`. The optimistic corner takes the
    /// high NIC figures and the low oversubscription; the confidence is the weakest of the three.
    public func scaleOutPerChipValue() -> SpecValue? {
        guard let o = scaleOut else { return nil }
        let over = o.oversubscription
        func at(_ c: Corner) -> Double {
            o.nicsPerChip.value(at: c) * o.nicLineRateGbps.value(at: c) / 8 / max(1, over?.value(at: c, higherIsBetter: false) ?? 1)
        }
        let confidence = [o.nicsPerChip.confidence, o.nicLineRateGbps.confidence, over?.confidence ?? .vendorOfficial].max() ?? .estimated
        var v = SpecValue(at(.nominal), confidence: confidence, source: o.nicLineRateGbps.source,
                          note: "system \(id): nicsPerChip x nicLineRateGbps / 8 / oversubscription")
        let low = at(.low), high = at(.high)
        if low < high { v.low = low; v.high = high }
        return v
    }

    /// `chip` (the system's `chip`) with the system's scale-up domain, per-chip scale-up
    /// bandwidth and latency, and scale-out bandwidth and latency in place of the chip spec's
    /// own. Compute, memory and D2D stay the chip's. Ranges of the system's values carry into
    /// the estimate's corners like any chip range. The chip's measured expert all-to-all kernel
    /// rates (`expertAllToAll`, per rank) stay: they are capped at the link the system gives.
    public func effectiveChip(_ chip: Chip) -> Chip {
        var c = chip
        c.scaleUp = ScaleUp(name: scaleUp.name, links: scaleUp.links ?? chip.scaleUp?.links, bandwidth: scaleUp.bandwidth,
                            domainSize: scaleUp.domainSize, maxDomainSize: nil,
                            latencyUs: scaleUp.latencyUs ?? chip.scaleUp?.latencyUs,
                            expertAllToAll: chip.scaleUp?.expertAllToAll)
        if let out = scaleOutPerChipValue() {
            c.scaleOut = ScaleOut(name: scaleOut?.name, nicBandwidth: LinkBandwidth(stated: out, direction: .perDirection),
                                  latencyUs: scaleOut?.latencyUs ?? chip.scaleOut?.latencyUs,
                                  expertAllToAll: chip.scaleOut?.expertAllToAll)
        }
        for (k, s) in sources where c.sources[k] == nil { c.sources[k] = s }
        c.notes.append("Links as in system '\(id)' (\(name)).")
        return c
    }

    /// Chips per scale-up domain, whole (nominal).
    public var domainChips: Int { wholeCount(scaleUp.domainSize.nominal, upper: 1 << 24) }
}
