/// A parallel layout for serving: each replica spans `tp x pp` chips; for an MoE model the
/// experts of each layer are split `ep` ways inside the TP group (ep divides tp; each expert
/// then runs tensor-parallel over tp/ep chips).
public struct InferencePlan: Sendable, Equatable {
    public var tp: Int
    public var pp: Int
    public var ep: Int
    public var replicas: Int
    /// Concurrent sequences per replica (LLM) or samples per chip batch (encoder/CNN).
    public var batch: Int
    /// MoE only: attention data-parallel over the TP group, experts split ep = tp ways
    /// (`LLMServingModel.dpAttention`).
    public var dpAttention: Bool

    public init(tp: Int, pp: Int, ep: Int, replicas: Int, batch: Int, dpAttention: Bool = false) {
        self.tp = tp
        self.pp = pp
        self.ep = ep
        self.replicas = replicas
        self.batch = batch
        self.dpAttention = dpAttention
    }

    public var chipsPerReplica: Int { tp * pp }

    public var json: [(String, JSONValue)] {
        [("tp", .number(Double(tp))), ("pp", .number(Double(pp))), ("ep", .number(Double(ep))),
         ("replicas", .number(Double(replicas))), ("batch", .number(Double(batch))), ("dpAttention", .bool(dpAttention))]
    }
}
