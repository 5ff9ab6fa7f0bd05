/// Model family: decides the MLP shape and which estimator paths apply.
public enum Architecture: String, Sendable, CaseIterable {
    /// GPT-style decoder: 2-matrix MLP (GELU), MHA.
    case gpt
    /// Llama-style decoder: gated 3-matrix MLP (SwiGLU), GQA.
    case llama
    /// Mixture-of-experts decoder (Mixtral, DeepSeek-V3, Qwen3-MoE).
    case moe
    /// Encoder-only transformer (BERT).
    case bert
    /// Convolutional network (ResNet-50).
    case resnet
}

/// How keys and values are stored.
public enum AttentionKind: String, Sendable, CaseIterable {
    case mha, gqa
    /// DeepSeek multi-head latent attention: the KV cache holds `kvLoraRank + ropeHeadDim`
    /// values per token per layer.
    case mla
}

/// A model's shape, as in the `model` object of Benchmarks/CASES.md, plus its provenance.
public struct ModelSpec: Sendable, Equatable {
    public var id: String
    public var name: String
    public var architecture: Architecture
    public var layers: Int
    public var hidden: Int
    public var heads: Int
    public var kvHeads: Int
    public var ffnHidden: Int
    public var vocab: Int
    public var gatedMlp: Bool
    /// Routed experts; 0 for a dense model.
    public var experts: Int
    public var expertsPerToken: Int
    public var expertFfnHidden: Int
    public var sharedExperts: Int
    /// Group-limited (node-limited) routing: the routed experts form `expertGroups` groups and
    /// each token is routed within at most `expertGroupsPerToken` of them (DeepSeek-V3:
    /// n_group 8, topk_group 4, which with its placement is "at most 4 nodes per token",
    /// DeepSeek-V3 Technical Report section 3.2.2; Megatron-Core `--moe-router-num-groups`,
    /// `--moe-router-group-topk`). 0: no limit.
    public var expertGroups = 0
    public var expertGroupsPerToken = 0
    /// Leading layers with a dense FFN of `ffnHidden` in an MoE model.
    public var denseLayers: Int
    public var headDim: Int
    public var attention: AttentionKind
    public var kvLoraRank: Int
    public var qLoraRank: Int
    public var ropeHeadDim: Int
    /// Input and output embeddings share one matrix.
    public var tiedEmbeddings: Bool
    /// ResNet only: bottleneck blocks per stage (ResNet-50: 3, 4, 6, 3).
    public var resnetBlocks: [Int]
    /// ResNet only: input image side, pixels.
    public var imageSize: Int
    public var source: String?

    public init(id: String, name: String, architecture: Architecture, layers: Int, hidden: Int, heads: Int,
                kvHeads: Int? = nil, ffnHidden: Int, vocab: Int, gatedMlp: Bool? = nil, experts: Int = 0,
                expertsPerToken: Int = 0, expertFfnHidden: Int = 0, sharedExperts: Int = 0, denseLayers: Int = 0,
                headDim: Int? = nil, attention: AttentionKind? = nil, kvLoraRank: Int = 0, qLoraRank: Int = 0,
                ropeHeadDim: Int = 0, tiedEmbeddings: Bool = false, resnetBlocks: [Int] = [], imageSize: Int = 224,
                source: String? = nil) {
        self.id = id
        self.name = name
        self.architecture = architecture
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.kvHeads = kvHeads ?? heads
        self.ffnHidden = ffnHidden
        self.vocab = vocab
        self.gatedMlp = gatedMlp ?? (architecture == .llama || architecture == .moe)
        self.experts = experts
        self.expertsPerToken = expertsPerToken
        self.expertFfnHidden = expertFfnHidden
        self.sharedExperts = sharedExperts
        self.denseLayers = denseLayers
        self.headDim = headDim ?? (heads > 0 ? hidden / heads : 0)
        self.attention = attention ?? ((kvHeads ?? heads) < heads ? .gqa : .mha)
        self.kvLoraRank = kvLoraRank
        self.qLoraRank = qLoraRank
        self.ropeHeadDim = ropeHeadDim
        self.tiedEmbeddings = tiedEmbeddings
        self.resnetBlocks = resnetBlocks
        self.imageSize = imageSize
        self.source = source
    }

    public var isMoE: Bool { experts > 1 }
    public var isDecoder: Bool { architecture == .gpt || architecture == .llama || architecture == .moe }
    public var moeLayers: Int { isMoE ? layers - min(max(0, denseLayers), max(0, layers)) : 0 }
    public var denseFfnLayers: Int { layers - moeLayers }
    private var mlpMatrices: Double { gatedMlp ? 3 : 2 }

    // MARK: Parameters (counts of weights; biases and norms are below 0.1% and left out)

    /// Attention weights in one layer: Q, K, V and output projections (MLA: the low-rank
    /// down/up projections of DeepSeek-V2/V3, arXiv 2405.04434 section 2.1).
    public var attentionParamsPerLayer: Double {
        let h = Double(hidden), nh = Double(heads), d = Double(headDim)
        switch attention {
        case .mla:
            let r = Double(ropeHeadDim), kvr = Double(kvLoraRank)
            let q = qLoraRank > 0 ? h * Double(qLoraRank) + Double(qLoraRank) * nh * (d + r) : h * nh * (d + r)
            let kv = h * (kvr + r) + kvr * nh * (d + d)
            return q + kv + nh * d * h
        case .mha, .gqa:
            return h * nh * d * 2 + 2 * h * Double(kvHeads) * d
        }
    }

    /// Dense MLP weights in one layer.
    public var denseMlpParamsPerLayer: Double { mlpMatrices * Double(hidden) * Double(ffnHidden) }
    /// One expert's MLP weights.
    public var expertParams: Double { mlpMatrices * Double(hidden) * Double(expertFfnHidden) }
    /// All MoE weights in one MoE layer (routed + shared experts + router).
    public var moeParamsPerLayer: Double {
        (Double(experts) + Double(sharedExperts)) * expertParams + Double(hidden) * Double(experts)
    }
    /// MoE weights one token touches in one MoE layer.
    public var activeMoeParamsPerLayer: Double {
        (Double(expertsPerToken) + Double(sharedExperts)) * expertParams + Double(hidden) * Double(experts)
    }
    /// Embedding (and untied output) weights.
    public var embeddingParams: Double { Double(vocab) * Double(hidden) * (tiedEmbeddings ? 1 : 2) }

    /// Total weights of a transformer (ResNet: its convolution and FC weights).
    public var totalParams: Double {
        if architecture == .resnet { return ResNetShape(blocks: resnetBlocks, imageSize: imageSize).params }
        return Double(layers) * attentionParamsPerLayer + Double(denseFfnLayers) * denseMlpParamsPerLayer
            + Double(moeLayers) * moeParamsPerLayer + embeddingParams
    }

    /// Weights one token uses (equals `totalParams` for dense models).
    public var activeParams: Double {
        if architecture == .resnet { return totalParams }
        return Double(layers) * attentionParamsPerLayer + Double(denseFfnLayers) * denseMlpParamsPerLayer
            + Double(moeLayers) * activeMoeParamsPerLayer + embeddingParams
    }

    /// Values stored in the KV cache per token per layer (K and V; MLA: the latent and rope key).
    public var kvValuesPerTokenPerLayer: Double {
        switch attention {
        case .mla: return Double(kvLoraRank) + Double(ropeHeadDim)
        case .mha, .gqa: return 2 * Double(kvHeads) * Double(headDim)
        }
    }

    /// Model FLOPs of one forward pass per token for a sequence of `sequence` tokens: 2 per
    /// multiply-add over the active weights (embedding lookup excluded, logits included), plus
    /// attention scores and context (QK^T and AV: 4 * s * heads * headDim per layer, counted
    /// for the full square as Megatron and Korthikanti do; `causal` halves it as
    /// FlashAttention's FLOP counter does).
    public func forwardFlopsPerToken(sequence: Int, causal: Bool = false) -> Double {
        let matmulWeights = activeParams - Double(vocab) * Double(hidden) * (tiedEmbeddings ? 0 : 1)
        let attnDim: Double = attention == .mla ? Double(headDim) + Double(ropeHeadDim) + Double(headDim) : 2 * Double(headDim)
        let attn = 2 * Double(sequence) * Double(heads) * attnDim * Double(layers) * (causal ? 0.5 : 1)
        return 2 * matmulWeights + attn
    }
}

/// ResNet bottleneck network geometry (He et al. 2016, "Deep Residual Learning", Table 1; v1.5
/// puts the stride-2 on the 3x3 convolution, as in NVIDIA's and MLPerf's reference).
public struct ResNetShape: Sendable {
    public var blocks: [Int]
    public var imageSize: Int

    public init(blocks: [Int], imageSize: Int) {
        self.blocks = blocks
        self.imageSize = imageSize
    }

    /// One convolution: output spatial size, in/out channels, kernel side.
    public struct Conv: Sendable, Equatable {
        public var outSide: Int
        public var inChannels: Int
        public var outChannels: Int
        public var kernel: Int
        /// Multiply-adds x 2.
        public var flops: Double { 2 * Double(outSide) * Double(outSide) * params }
        public var params: Double { Double(inChannels) * Double(outChannels) * Double(kernel) * Double(kernel) }
    }

    /// Every convolution in order, plus the final fully connected layer as a 1x1 "convolution".
    /// Stage widths double per stage (64, 128, 256, 512) and stop doubling after stage 24 so
    /// no block list can overflow a channel count; negative block counts count as 0.
    public var convolutions: [Conv] {
        var out: [Conv] = []
        var side = max(0, imageSize) / 2
        out.append(Conv(outSide: side, inChannels: 3, outChannels: 64, kernel: 7))
        side /= 2 // max pool
        var inCh = 64
        for (stage, count) in blocks.enumerated() {
            let width = 64 << min(stage, 24)
            let outCh = width * 4
            for b in 0..<max(0, count) {
                let stride = (b == 0 && stage > 0) ? 2 : 1
                let outSide = side / stride
                out.append(Conv(outSide: side, inChannels: inCh, outChannels: width, kernel: 1))
                out.append(Conv(outSide: outSide, inChannels: width, outChannels: width, kernel: 3))
                out.append(Conv(outSide: outSide, inChannels: width, outChannels: outCh, kernel: 1))
                if b == 0 { out.append(Conv(outSide: outSide, inChannels: inCh, outChannels: outCh, kernel: 1)) }
                side = outSide
                inCh = outCh
            }
        }
        out.append(Conv(outSide: 1, inChannels: inCh, outChannels: 1000, kernel: 1))
        return out
    }

    public var flops: Double { convolutions.reduce(0) { $0 + $1.flops } }
    public var params: Double { convolutions.reduce(0) { $0 + $1.params } }
}
