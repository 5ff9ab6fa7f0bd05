// The batch path of the roofline: operations prepared for a device become the columns of
// the SIMD kernel (`Kernels/RooflineKernel.swift`).

/// One operation prepared for a device: the chip-independent cost turned into the eight
/// column values of a roofline point, plus what the result needs for explanations.
public struct PreparedPoint: Sendable {
    public var operation: RooflineOperation
    public var cost: OperationCost
    public var bytes: Double
    public var sramBytes: Double
    public var sustainedFlops: Double
    public var peakFlops: Double
    public var device: RooflineDevice
}

extension Roofline {
    /// Everything `evaluate` computes except the final max, for the batch path.
    public static func prepare(_ op: RooflineOperation, on device: RooflineDevice, split: DieSplit = .auto,
                               labels: Bool = true) -> PreparedPoint {
        let c = cost(op, format: device.format, dies: device.dies, split: split, labels: labels)
        let bytes = offChipBytes(c, format: device.format, tileBytes: device.sramTileBytes)
        let sramBytes = c.usesMatrixUnits ? c.untiledBytes : 0
        let sustained = (c.usesMatrixUnits ? device.sustainedMatmulFlops : device.sustainedVectorFlops) * c.shapeEfficiency
        return PreparedPoint(operation: op, cost: c, bytes: bytes, sramBytes: sramBytes, sustainedFlops: sustained,
                             peakFlops: device.peakFlops, device: device)
    }

    /// Evaluates many (operation, device, split) points through the SIMD batch path. The
    /// results equal `evaluate` on each point exactly (same formulas, same bits).
    public static func evaluateMany(_ points: [(RooflineOperation, RooflineDevice, DieSplit)], threads: Int? = nil) -> [RooflineResult] {
        let prepared = points.map { prepare($0.0, on: $0.1, split: $0.2) }
        var cols = RooflineColumns()
        cols.reserveCapacity(prepared.count)
        for p in prepared {
            cols.append(flops: p.cost.flops, sustainedFlops: p.sustainedFlops, bytes: p.bytes,
                        bytesPerSecond: p.device.memoryBytesPerSecond, sramBytes: p.sramBytes,
                        sramBytesPerSecond: p.device.sramBytesPerSecond, d2dBytes: p.cost.d2dBytesPerDirection,
                        d2dBytesPerSecond: p.device.d2dBytesPerSecondPerDirection)
        }
        let r = RooflineBatch.evaluate(cols, threads: threads)
        return prepared.enumerated().map { i, p in
            result(p, seconds: r.seconds[i], bound: r.bound(i))
        }
    }

    static func result(_ p: PreparedPoint, seconds: Double, bound: Ceiling) -> RooflineResult {
        let d = p.device
        return RooflineResult(operation: p.operation, flops: p.cost.flops, bytes: p.bytes, sramBytes: p.sramBytes,
                              d2dBytesPerDirection: p.cost.d2dBytesPerDirection,
                              computeSeconds: p.cost.flops / p.sustainedFlops, memorySeconds: p.bytes / d.memoryBytesPerSecond,
                              sramSeconds: p.sramBytes / d.sramBytesPerSecond,
                              d2dSeconds: p.cost.d2dBytesPerDirection / d.d2dBytesPerSecondPerDirection,
                              seconds: seconds, bound: bound, shapeEfficiency: p.cost.shapeEfficiency, split: p.cost.split,
                              peakFlops: p.peakFlops)
    }
}
