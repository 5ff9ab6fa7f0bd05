/// Inference mechanism constants, per chip family, kept apart from the shared roofline
/// fractions of `Calibration` (matrix/memory/link fractions, owned by the training estimator):
/// these multiply on top of them.
///
/// Every value is per family or per mechanism, never per case, and was fitted only on the
/// inference cases of `Benchmarks/calibration-cases.json`. A family without an inference case
/// uses `InferenceCalibration.default` (a prior), and its estimates say so.
public struct InferenceFamilyCalibration: Sendable, Equatable {
    /// Decode: fraction of the roofline (shared-fraction) speed the whole decode step reaches
    /// (paged-attention and small-M GEMM kernels, launch gaps between them).
    public var decodeEfficiency: Double
    /// Prefill and encoder GEMM work: fraction of the roofline speed reached.
    public var prefillEfficiency: Double
    /// Convolution (ResNet) work: fraction of the roofline speed reached.
    public var convEfficiency: Double
    /// Fixed host/scheduler time per decode iteration, seconds (batch scheduling, sampling,
    /// kernel launches not hidden by CUDA graphs).
    public var stepOverheadSeconds: Double
    public var provenance: String

    public init(decodeEfficiency: Double, prefillEfficiency: Double, convEfficiency: Double,
                stepOverheadSeconds: Double, provenance: String) {
        self.decodeEfficiency = decodeEfficiency
        self.prefillEfficiency = prefillEfficiency
        self.convEfficiency = convEfficiency
        self.stepOverheadSeconds = stepOverheadSeconds
        self.provenance = provenance
    }
}

public enum InferenceCalibration {
    /// Prior for families with no inference case (Biren, Huawei and other domestic chips):
    /// decode 0.80, prefill 0.80, conv 0.60, 2 ms per step, between the fitted Hopper and Ampere
    /// values (mature TensorRT-class software). Not fitted: INF-MLPI21-BR104-BERT999-OFF lands
    /// within 3% of the measurement with it, so biren-br1 keeps the prior.
    public static let `default` = InferenceFamilyCalibration(
        decodeEfficiency: 0.80, prefillEfficiency: 0.80, convEfficiency: 0.60, stepOverheadSeconds: 0.002,
        provenance: "prior (no inference calibration case for this family): between the fitted Hopper and Ampere values")

    /// Fitted families. Values and how they were obtained:
    /// - nvidia-hopper: decode 0.85 and prefill 0.75, chosen on a small grid (decode 0.80-0.90,
    ///   prefill 0.70-0.80) for the lowest errors over the H100/H200 LLM rows (INF-TRTLLM10-03/
    ///   -09/-11/-16, INF-MLPI40-H100x8-L2-SRV, INF-MLPI40-H200x8-L2-OFF); conv 0.45 from
    ///   INF-MLPI21-H100-RN50-OFF (MLPerf ResNet-50 INT8 reaches about a third of the INT8 dense
    ///   peak: small early convolutions, pooling and epilogues cap it); step overhead 2 ms, a
    ///   prior (typical TensorRT-LLM/vLLM host time per iteration), not fitted. Regridded when the
    ///   batch cap began reserving each sequence's whole length (`LLMLayoutSearch.reservedTokens`):
    ///   decode 0.85 / prefill 0.70 gives a lower mean over those six rows (6.4% vs 7.2%) but a
    ///   higher inference weighted median over all 17 (5.9% vs 3.8%); 0.85 / 0.75 kept.
    /// - nvidia-ampere: decode 0.93 from INF-FT13B-TP1 (FasterTransformer 13B, 22 ms/token at
    ///   batch 1, where the 1 ms overhead prior also counts); prefill 0.84 splits the difference
    ///   between INF-FT13B-TP1-TTFT and INF-MLPI21-A100P-BERT99-OFF; conv 0.72 from
    ///   INF-MLPI21-A100P-RN50-OFF.
    /// - nvidia-blackwell: decode = prefill = 0.62 from the B200 rows (INF-MLPI41-B200x1-L2-OFF,
    ///   INF-TRTLLM10-15; FP4 GEMMs and FP4 attention paths were young in 2024-25). This is the
    ///   GB100-class silicon (B200/B300/GB200/GB300: two dies, HBM3e, compute capability 10.x).
    ///   The RTX PRO 6000 is a different chip (GB202: one die, GDDR7, compute capability 12.0,
    ///   other kernels) in family `nvidia-blackwell-sm120`, which has no fit of its own and takes
    ///   the prior: its only case (INF-TRTLLM10-12, PP 8) fits `pipelineBubbleMicroBatches`.
    ///   It borrowed the B200 values until the sixth stop; on the TensorRT-LLM v1.0 table's
    ///   other RTX rows (outside the suite) that put its PP 1 rows about 20% low at every
    ///   ISL/OSL, prefill- and decode-heavy alike, which is what a borrowed family factor does.
    /// - amd-cdna3: decode = prefill = 0.48 from the MI300X MLPerf v4.1 Llama-2-70B offline row
    ///   (the server row then lands within 13%): vLLM/ROCm FP8 in 2024 reached about 60% of what
    ///   the same roofline gives TensorRT-LLM on H100.
    public static let families: [String: InferenceFamilyCalibration] = [
        "nvidia-hopper": InferenceFamilyCalibration(
            decodeEfficiency: 0.85, prefillEfficiency: 0.75, convEfficiency: 0.45, stepOverheadSeconds: 0.002,
            provenance: "fitted on the H100 inference cases of Benchmarks/calibration-cases.json"),
        "nvidia-ampere": InferenceFamilyCalibration(
            decodeEfficiency: 0.93, prefillEfficiency: 0.84, convEfficiency: 0.72, stepOverheadSeconds: 0.001,
            provenance: "fitted on the A100 inference cases of Benchmarks/calibration-cases.json"),
        "nvidia-blackwell": InferenceFamilyCalibration(
            decodeEfficiency: 0.62, prefillEfficiency: 0.62, convEfficiency: 0.45, stepOverheadSeconds: 0.002,
            provenance: "fitted on the B200 rows of Benchmarks/calibration-cases.json (conv: hopper value, no case)"),
        "amd-cdna3": InferenceFamilyCalibration(
            decodeEfficiency: 0.48, prefillEfficiency: 0.48, convEfficiency: 0.45, stepOverheadSeconds: 0.002,
            provenance: "fitted on the MI300X MLPerf v4.1 Llama-2-70B rows of Benchmarks/calibration-cases.json (conv: hopper value, no case)"),
    ]

    public static func family(_ name: String) -> InferenceFamilyCalibration { families[name] ?? InferenceCalibration.default }
    public static func isCalibrated(_ family: String) -> Bool { families[family] != nil }

    // MARK: Mechanism constants shared by every family

    /// Memory the serving runtime holds before any model state, GB (CUDA context, cuBLAS and
    /// communication workspaces, CUDA graphs): about 1.5 GB on a GPU under TensorRT-LLM/vLLM.
    public static let runtimeFixedGB = 1.5

    /// Fraction of the memory left after weights and activations given to the KV cache.
    /// 0.9 is TensorRT-LLM's `kv_cache_free_gpu_mem_fraction` default (vLLM's
    /// `gpu_memory_utilization = 0.9` is similar); the rest stays free for fragmentation.
    public static let kvCacheFreeFraction = 0.90

    /// Tokens one prefill iteration batches together (TensorRT-LLM `max_num_tokens` default
    /// 8192); the activation workspace is sized for it.
    public static let prefillChunkTokens = 8192

    /// Largest decode batch a runtime schedules per replica (TensorRT-LLM `max_batch_size`
    /// default 2048 in trtllm-bench; vLLM `max_num_seqs` is smaller).
    public static let maxScheduledBatch = 2048

    /// Host (CPU) time per scheduled sequence per decode iteration, seconds: the serving
    /// runtime's Python/C++ bookkeeping of every running request (scheduling, input
    /// preparation, sampling and detokenization hand-off). TensorRT-LLM PR #10273 (2025-12-24)
    /// measured it where "the host overhead is the bottleneck": GB200, GPT-OSS-120B, attention
    /// DP 2 with max_batch_size 1536 per rank, ISL/OSL 1k/1k, average per-iteration
    /// host_step_time 45.11 ms, i.e. 45.11 ms / 1536 = 29.4 us per sequence. The runtime's
    /// overlap scheduler prepares iteration n + 1 on the host while the GPU runs n (PyExecutor
    /// `_executor_loop_overlap`, one step of lookahead: TensorRT-LLM issue #13957), so a step
    /// takes max(chips' step, host time) (`DecodeStepModel.hostSeconds`): it binds only for
    /// small active models at very large batches (Qwen3-30B-A3B at a few thousand sequences),
    /// never at a calibration case's batch. Measured on a Grace host; an x86 host may be
    /// faster. Not fitted.
    public static let hostSecondsPerScheduledSequence = 29.4e-6

    /// Pipeline-parallel serving: fraction of the ideal (bubble-free, perfectly balanced)
    /// pipeline throughput reached at `pp` stages. In-flight batching mixes prefill chunks and
    /// decode micro-batches of unequal cost, so stages wait on each other; the loss is taken as
    /// a pipeline bubble of `pp - 1` stage times per `pipelineBubbleMicroBatches` micro-batches,
    /// GPipe's efficiency m / (m + p - 1) (Huang et al. 2019; the bubble (p - 1) / m of
    /// Narayanan et al. 2021), so two stages lose an eighth and eight about half. One at pp = 1.
    public static func pipelineEfficiency(pp: Int) -> Double {
        pp > 1 ? pipelineBubbleMicroBatches / (pipelineBubbleMicroBatches + Double(pp - 1)) : 1
    }

    /// Micro-batches between pipeline drains in `pipelineEfficiency(pp:)`. Fitted on the only PP
    /// case, INF-TRTLLM10-12 (8 x RTX PRO 6000, PP 8, family `nvidia-blackwell-sm120` at the
    /// prior): the row is +28.5% high without the bubble, so pp = 8 must give 1 / 1.285 = 0.52,
    /// i.e. m = 7 x 0.52 / 0.48 = 7.6 (that row then +0.2%): PP 2 keeps 88%, PP 4 72%. (While
    /// the RTX PRO 6000 borrowed the B200 family's 0.62 the same row gave m = 14.2.)
    public static let pipelineBubbleMicroBatches = 7.6

    /// BERT in MLPerf: padding-free kernels process the real tokens of each SQuAD v1.1 feature,
    /// not the 384 padded positions. Mean real tokens / 384, an estimate of the SQuAD v1.1 dev
    /// set's mean feature length (~170 tokens), not fitted.
    public static let bertMeanSequenceFraction = 0.45

    /// Hidden-width activation reads and writes per token per layer outside the GEMMs, after
    /// the fusion inference engines do (biases and activation functions in GEMM epilogues):
    /// two residual-add + normalization kernels, each reading the residual and the sub-layer
    /// output and writing the sum (3 each). Not fitted.
    public static let elementwiseAccessesPerLayer = 6.0

    /// On-chip tile memory assumed when a chip's spec gives neither SRAM nor L2, MB: without it
    /// the roofline would re-read every GEMM operand panel from HBM. 50 MB is the H100's L2
    /// (datacenter GPUs since 2020 have 40-128 MB); the explanation says when it was used.
    public static let assumedOnChipMBWhenUnknown = 50.0

    /// Vector operations to turn one stored weight element into the GEMM format when the chip
    /// has no peak for the stored one (`--emulate`, W4A16/W4A8): unpack the 4-bit field, convert
    /// it, multiply by its group scale, subtract the zero point (4), as weight-only kernels do
    /// in registers (Frantar et al., Marlin, arXiv 2408.11743, section 3). Not fitted.
    public static let dequantizeOpsPerElement = 4.0

    /// Vector operations to convert one stored KV-cache element (FP8 on a chip without FP8) to
    /// the attention format: convert and scale (2). Not fitted.
    public static let convertOpsPerElement = 2.0

    /// Activation bytes per element for communication and workspace (BF16/FP16 activations).
    public static let activationBytes = 2.0

    /// SMs DeepEP's normal (prefill) expert kernels occupy while they run: deep_ep/buffer.py
    /// `num_sms = 20` (DeepSeek-V3 report section 3.2.2: 20 SMs saturate IB and NVLink).
    /// Not fitted.
    public static let expertNormalKernelSMs = 20.0

    /// Whether DP-attention large-EP layouts run two-batch overlap (`MicroBatchOverlap`) unless
    /// told otherwise (`PlanConstraints.twoBatchOverlap`, `--two-batch-overlap`; the case
    /// format has no field for it). DeepSeek (open-infra-index day 6),
    /// SGLang's large-EP deployment and CloudMatrix-Infer all run it, but off by default: the
    /// one published measurement of its own gain, SGLang's TBO in prefill (+27-35%, LMSYS blog
    /// 2025-05-05), is about half of what the overlap model gives on the same layout (+61%),
    /// i.e. the serial terms it would hide behind are too fast for large-EP MoE today; turning
    /// it on waits for those costs. Not fitted.
    public static let twoBatchOverlapByDefault = false
}
