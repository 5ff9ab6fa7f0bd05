import ChipModelKit

/// `chipmodel models`: list the model zoo or show one model's shape with its source.
///
/// Shapes come from `Specs/models/*.json` (embedded; format `Specs/models/README.md`). The
/// parameter counts are computed from the shape (`ModelSpec.totalParams`, `activeParams`) and
/// printed beside the publisher's stated counts, so a transcription error shows.
public enum ModelsCommand: CLICommand {
    public static let name = "models"
    public static let abstract = "List the built-in model zoo or show one model's shape and source."
    public static let usage = "models [list | show ID] [--format table|json|csv]"
    public static let discussion = """
    Without a subcommand, lists every built-in model: architecture, layers, hidden size,
    attention, experts, and the parameter count computed from the shape beside the count the
    publisher states. 'show ID' prints every field of one model and its source. Any id listed
    here can be given to 'chipmodel estimate --model ID'. Format: Specs/models/README.md.

    EXAMPLES:
      chipmodel models
      chipmodel models show gpt-oss-120b
      chipmodel models show deepseek-v3 --format json
    """
    public static let options: [OptionSpec] = []
    public static let maxPositionals = 2

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        let format = try ChipModelCLI.format(args)
        let id = try listOrShowID(args.positionals, command: "models", noun: "model", suggestSubcommand: false)
        let zoo = try ModelZoo.builtIn()
        if let id {
            context.out(ModelsRender.show(try zoo.model(id), format: format))
        } else {
            context.out(ModelsRender.list(zoo.models, format: format))
        }
        return 0
    }
}

/// Rendering of model shapes (pure functions, tested directly).
enum ModelsRender {
    static func billions(_ x: Double) -> String { formatQuantity(x / 1e9) }

    /// Every field of a model as (key, value) text, in spec-file order; absent optional fields
    /// are left out.
    static func fields(_ m: ModelSpec) -> [(String, String)] {
        var f: [(String, String)] = [("id", m.id), ("name", m.name), ("architecture", m.architecture.rawValue)]
        if m.architecture == .resnet {
            f.append(("resnetBlocks", m.resnetBlocks.map(String.init).joined(separator: ", ")))
            f.append(("imageSize", String(m.imageSize)))
        } else {
            f += [("layers", String(m.layers)), ("hidden", String(m.hidden)), ("heads", String(m.heads)),
                  ("kvHeads", String(m.kvHeads)), ("headDim", String(m.headDim)), ("attention", m.attention.rawValue),
                  ("ffnHidden", String(m.ffnHidden)), ("vocab", String(m.vocab)), ("gatedMlp", String(m.gatedMlp)),
                  ("tiedEmbeddings", String(m.tiedEmbeddings))]
            if m.isMoE {
                f += [("experts", String(m.experts)), ("expertsPerToken", String(m.expertsPerToken)),
                      ("expertFfnHidden", String(m.expertFfnHidden)), ("sharedExperts", String(m.sharedExperts)),
                      ("denseLayers", String(m.denseLayers))]
            }
            if m.attention == .mla {
                f += [("kvLoraRank", String(m.kvLoraRank)), ("qLoraRank", String(m.qLoraRank)), ("ropeHeadDim", String(m.ropeHeadDim))]
            }
            if m.slidingWindowLayers > 0 {
                f += [("slidingWindow", String(m.slidingWindow)), ("slidingWindowLayers", String(m.slidingWindowLayers))]
            }
        }
        f.append(("params (computed), B", billions(m.totalParams)))
        if m.statedParamsBillion != nil || m.isMoE { f.append(("activeParams (computed), B", billions(m.activeParams))) }
        if let s = m.statedParamsBillion { f.append(("paramsBillion (stated)", formatQuantity(s))) }
        if let s = m.statedActiveParamsBillion { f.append(("activeParamsBillion (stated)", formatQuantity(s))) }
        return f
    }

    static func list(_ models: [ModelSpec], format: OutputFormat) -> String {
        switch format {
        case .json:
            return JSONValue.object([("models", .array(models.map(json)))]).serialized() + "\n"
        case .csv:
            var t = TextTable(headers: ["id", "name", "architecture", "layers", "hidden", "attention", "experts", "expertsPerToken",
                                        "paramsBillionComputed", "activeParamsBillionComputed", "paramsBillionStated", "source"])
            for m in models {
                t.add([m.id, m.name, m.architecture.rawValue, String(m.layers), String(m.hidden), m.attention.rawValue,
                       String(m.experts), String(m.expertsPerToken), ChipsRender.csvNumber(m.totalParams / 1e9),
                       ChipsRender.csvNumber(m.activeParams / 1e9), m.statedParamsBillion.map(ChipsRender.csvNumber) ?? "",
                       m.source ?? ""])
            }
            return t.renderCSV()
        case .table:
            var t = TextTable(headers: ["id", "architecture", "layers", "hidden", "attention", "experts", "params B", "active B", "stated B"],
                              rightAligned: [2, 3, 5, 6, 7, 8])
            for m in models {
                let experts = m.isMoE ? "\(m.expertsPerToken)/\(m.experts)" + (m.sharedExperts > 0 ? "+\(m.sharedExperts)" : "") : "-"
                let stated = m.statedParamsBillion.map { formatQuantity($0) + (m.statedActiveParamsBillion.map { "/" + formatQuantity($0) } ?? "") } ?? "-"
                t.add([m.id, m.architecture.rawValue, m.architecture == .resnet ? "-" : String(m.layers),
                       m.architecture == .resnet ? "-" : String(m.hidden), m.architecture == .resnet ? "-" : m.attention.rawValue,
                       experts, billions(m.totalParams), billions(m.activeParams), stated])
            }
            return t.renderText() + "\nparams/active B are computed from the shape (weights only, biases and norms left out); stated B is the publisher's total/active. 'chipmodel models show ID' gives every field and the source.\n"
        }
    }

    static func show(_ m: ModelSpec, format: OutputFormat) -> String {
        switch format {
        case .json:
            return json(m).serialized() + "\n"
        case .csv:
            var t = TextTable(headers: ["field", "value"])
            for (k, v) in fields(m) { t.add([k, v]) }
            t.add(["source", m.source ?? ""])
            return t.renderCSV()
        case .table:
            var t = TextTable(headers: ["field", "value"])
            for (k, v) in fields(m) { t.add([k, v]) }
            var out = "\(m.name)  [\(m.id)]\n\n" + t.renderText()
            out += "\nSource:\n  \(m.source ?? "(none given)")\n"
            if !m.notes.isEmpty { out += "\nNotes:\n" + m.notes.map { "  " + $0 }.joined(separator: "\n") + "\n" }
            return out
        }
    }

    static func json(_ m: ModelSpec) -> JSONValue {
        var f: [(String, JSONValue)] = [("id", .string(m.id)), ("name", .string(m.name)), ("architecture", .string(m.architecture.rawValue))]
        if m.architecture == .resnet {
            f += [("resnetBlocks", .array(m.resnetBlocks.map { .number(Double($0)) })), ("imageSize", .int(m.imageSize))]
        } else {
            f += [("layers", .int(m.layers)), ("hidden", .int(m.hidden)), ("heads", .int(m.heads)), ("kvHeads", .int(m.kvHeads)),
                  ("headDim", .int(m.headDim)), ("attention", .string(m.attention.rawValue)), ("ffnHidden", .int(m.ffnHidden)),
                  ("vocab", .int(m.vocab)), ("gatedMlp", .bool(m.gatedMlp)), ("tiedEmbeddings", .bool(m.tiedEmbeddings)),
                  ("experts", .int(m.experts)), ("expertsPerToken", .int(m.expertsPerToken)), ("expertFfnHidden", .int(m.expertFfnHidden)),
                  ("sharedExperts", .int(m.sharedExperts)), ("denseLayers", .int(m.denseLayers)), ("kvLoraRank", .int(m.kvLoraRank)),
                  ("qLoraRank", .int(m.qLoraRank)), ("ropeHeadDim", .int(m.ropeHeadDim)), ("slidingWindow", .int(m.slidingWindow)),
                  ("slidingWindowLayers", .int(m.slidingWindowLayers))]
        }
        f += [("paramsBillionComputed", .num(m.totalParams / 1e9)), ("activeParamsBillionComputed", .num(m.activeParams / 1e9)),
              ("paramsBillionStated", .num(m.statedParamsBillion)), ("activeParamsBillionStated", .num(m.statedActiveParamsBillion)),
              ("source", .str(m.source)), ("notes", .array(m.notes.map { .string($0) }))]
        return .object(f)
    }
}
