/// Help paragraphs of `estimate` on reading its tables: the plan notation, the formats each chip
/// runs in, and like-for-like comparisons.
enum EstimateHelpText {
    static let planNotation = """
    Plan notation (the "best plan" column, e.g. TP4 PP2 DP128 mb1 v10 rc:lightweight z2 sp ov:dp+ag+tp+pp): \
    TP, PP, DP = tensor-, pipeline- and data-parallel degrees (CP, EP = context- and expert-parallel, shown \
    when > 1; TP x PP x DP x CP = chips); mb = sequences per microbatch; v = interleaved pipeline model \
    chunks per stage (virtual stages, shown when > 1); rc: = activation recomputation (none, selective, \
    full, lightweight); z = ZeRO stage (0-3, 1 = distributed optimizer); sp = Megatron sequence \
    parallelism; ov: = communication overlapped with compute: dp = data-parallel gradient reduce, ag = \
    parameter all-gather, tp = tensor-parallel collectives, pp = pipeline sends, ep = expert all-to-all. \
    Serving plans show tp, pp, ep, replicas and the batch per replica as columns.
    """

    static let formats = """
    Formats: training runs bf16 (fp16 on a chip without bf16); --inference serves weights in FP8 where the \
    chip has it, else bf16/fp16 (int8 for encoders and CNNs on a chip without FP8), with the KV cache in fp8 \
    beside 8-bit-or-narrower weights on an FP8 chip, else 16-bit (MLA models: always 16-bit, as FlashMLA). So a default comparison can mix formats: \
    every row names its precision, and the header says when the rows are not like for like. --like-for-like \
    runs every chip in the best format they all share (inference fp8, else bf16, else fp16; training bf16, \
    else fp16) and marks a chip run off its default ("bf16 (default fp8)"); --baseline ID adds "x vs ID" \
    (tokens/s per chip over ID's; a ratio across formats names both). A fixed --precision a chip lacks is a \
    usage error (exit 64) unless --emulate. A chip that does not fit, or with no plan meeting --ttft-ms/\
    --tpot-ms, stays a row and the exit is 0; --strict makes it exit 1.
    CSV: one number per cell; ranges over the spec corners are <metric>_low/<metric>_high columns, the \
    training model-error band tokens_per_s_per_chip_model_error_low/_high, MFU in percent (mfu_percent); \
    --scaling rows join the same table with table=scaling.
    """
}
