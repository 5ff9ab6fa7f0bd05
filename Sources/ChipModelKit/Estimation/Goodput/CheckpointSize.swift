/// The size of one training checkpoint: model weights plus optimizer state.
///
/// Mixed-precision training with Adam keeps, per parameter, BF16 weights (2 B), an FP32
/// master copy (4 B) and Adam's two FP32 moments (4 + 4 B): 14 B/param. Gradients are
/// recomputed after a restart and are not saved. The ZeRO paper (Rajbhandari et al., SC 2020,
/// section 3.1) counts 16 B/param of *training memory* for the same recipe because it adds
/// the FP16/BF16 gradients (2 B); 12 B/param is a checkpoint that keeps only the FP32 master
/// and moments and re-derives the BF16 weights. chipmodel's default is **14 B/param**, the
/// range 12-16 covering both conventions. One copy of the state is written (data-parallel
/// replicas hold the same weights; a distributed checkpoint writes each shard once).
public enum CheckpointSize {
    /// BF16 weights 2 + FP32 master 4 + Adam moments 8.
    public static let defaultBytesPerParameter = 14.0
    /// 12 (FP32 master and moments only) to 16 (ZeRO's training-state count with gradients).
    public static let bytesPerParameterRange: ClosedRange<Double> = 12...16

    /// Bytes of one checkpoint for `parameters` parameters (all experts of a MoE model count).
    public static func bytes(parameters: Double, bytesPerParameter: Double = defaultBytesPerParameter) -> Double {
        parameters * bytesPerParameter
    }
}
