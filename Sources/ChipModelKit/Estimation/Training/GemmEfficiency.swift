// GEMM efficiency from shape and hardware (NVIDIA, "Matrix Multiplication Background User's
// Guide", DU-09799-001, 2023, chapter 3 "Dimension Quantization Effects"):
// - tile quantization: the output is computed in tiles, so a dimension that is not a multiple
//   of the tile wastes the rest of its last tile (`Roofline.tileQuantization`, applied by the
//   roofline to every GEMM);
// - wave quantization: the tiles run in waves of one tile per compute unit (SM, CU, AI core),
//   so tiles = ceil(M/tm)·ceil(N/tn)·batch, waves = ceil(tiles / units), and the last partial
//   wave leaves units idle: efficiency = tiles / (waves·units). Libraries soften this (Stream-K,
//   Osama et al. PPoPP 2023; smaller tiles when the large ones quantize badly), so the count
//   uses the 128 x 128 tile, the smallest of the large cuBLAS tiles (guide, section 2.3);
// - the fixed time of a kernel (`TrainingCalibration.gemmFixedSeconds`);
// - arithmetic intensity against the ridge point: the roofline takes the larger of compute and
//   (tiled) memory time, so skinny GEMMs go memory-bound by themselves.
// FlashAttention spreads its work over batch x heads x 128-query blocks (Dao 2023, section 3.2),
// which quantizes the same way.

extension TrainingCostModel {
    /// Fraction of the compute units busy over the waves of an operation's tiles (1 when the
    /// chip's unit count is unknown or the operation is not tiled on matrix units).
    public static func waveEfficiency(_ op: RooflineOperation, computeUnits units: Double?) -> Double {
        guard let units, units >= 1 else { return 1 }
        let tile = Double(Roofline.gemmTile)
        let tiles: Double
        switch op {
        case let .gemm(m, n, _, batch):
            tiles = (Double(m) / tile).rounded(.up) * (Double(n) / tile).rounded(.up) * Double(max(1, batch))
        case let .attention(batch, heads, _, queryLength, _, _, _):
            tiles = Double(max(1, batch)) * Double(max(1, heads)) * (Double(queryLength) / tile).rounded(.up)
        default:
            return 1
        }
        guard tiles >= 1, tiles.isFinite else { return 1 }
        let waves = (tiles / units).rounded(.up)
        return tiles / (waves * units)
    }
}
