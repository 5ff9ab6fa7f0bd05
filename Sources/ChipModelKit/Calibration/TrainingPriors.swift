/// Documented priors of the training estimator: constants of named mechanisms that no
/// calibration case constrains, so they are set from their sources and never fitted. Each is
/// the same for every chip family.

/// What a training job's memory holds besides weights, optimizer state and activations.
public struct TrainingMemoryPriors: Sendable, Equatable {
    /// Fraction of the installed DRAM the driver keeps back (ECC/row remapping, the driver's
    /// own allocations): nvidia-smi shows 81,559 of 81,920 MiB on H100 80GB HBM3, 143,771 of
    /// 144,384 MiB on H200 and 183,359 of 184,320 MiB on B200 (0.4-0.5%).
    public var driverReservedFraction: Double
    /// Per chip, bytes: the CUDA (or CANN/ROCm) context with lazy module loading (the default
    /// since CUDA 12.2) and the GEMM/attention library workspaces (cuBLAS uses 32 MiB per
    /// stream on Hopper; Transformer Engine and userbuffers add their buffers). A prior.
    public var runtimeBytes: Double
    /// Per distinct communicator the plan uses (TP, CP, DP x CP, PP, EP, expert-DP groups),
    /// bytes of collective buffers: NCCL allocates per communicator, linear in its channels
    /// (NVIDIA/nccl issues #864 and #986); 544-688 MB per process group were measured on A100
    /// NVLink (NVIDIA/nccl #964); Ascend HCCL takes 2 x HCCL_BUFFSIZE = 2 x 200 MB per
    /// communicator by default (CANN environment variable reference, HCCL_BUFFSIZE).
    public var bytesPerCommunicator: Double
    /// Allocator fragmentation and temporaries, as a fraction of the activation memory:
    /// Megatron-LM's theoretical memory estimate adds 5%
    /// (`megatron/training/theoretical_memory_usage.py`, `overhead_factor = 1.05`); the
    /// published runs set `PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True`.
    public var allocatorFragmentation: Double

    public init(driverReservedFraction: Double, runtimeBytes: Double, bytesPerCommunicator: Double,
                allocatorFragmentation: Double) {
        self.driverReservedFraction = driverReservedFraction
        self.runtimeBytes = runtimeBytes
        self.bytesPerCommunicator = bytesPerCommunicator
        self.allocatorFragmentation = allocatorFragmentation
    }

    public static let standard = TrainingMemoryPriors(driverReservedFraction: 0.005, runtimeBytes: 1e9,
                                                      bytesPerCommunicator: 0.5e9, allocatorFragmentation: 0.05)
}

/// Mixture-of-experts mechanisms at scale.
public struct ExpertParallelPriors: Sendable, Equatable {
    /// Compute units (SMs) the all-to-all kernels occupy while they overlap with compute:
    /// DeepSeek-V3 dedicates 20 of the H800's 132 SMs to dispatch and combine and states that
    /// this saturates both IB and NVLink (DeepSeek-V3 Technical Report, arXiv 2412.19437,
    /// section 3.2.2). Used when the spec gives `computeUnits`; else `computeFractionWhileOverlapped`.
    public var communicationComputeUnits: Double
    /// The compute fraction left while overlapped when the chip's unit count is unknown:
    /// DeepSeek's 112/132.
    public var computeFractionWhileOverlapped: Double
    /// Load of the busiest expert-parallel rank over the mean: the step waits for it.
    /// Auxiliary-loss-free balancing keeps the global violation to a few percent (Wang et al.
    /// 2024, "Auxiliary-Loss-Free Load Balancing Strategy for Mixture-of-Experts", arXiv
    /// 2408.15664, MaxVio); per batch and per rank it is larger. A prior: no MoE training case
    /// is in the calibration file.
    public var loadImbalance: Double

    public init(communicationComputeUnits: Double, computeFractionWhileOverlapped: Double, loadImbalance: Double) {
        self.communicationComputeUnits = communicationComputeUnits
        self.computeFractionWhileOverlapped = computeFractionWhileOverlapped
        self.loadImbalance = loadImbalance
    }

    public static let standard = ExpertParallelPriors(communicationComputeUnits: 20, computeFractionWhileOverlapped: 112.0 / 132.0,
                                                      loadImbalance: 1.1)
}
