import ChipModelKit

/// The `list | show ID` positionals of a catalog command (`models`, `systems`): no positional
/// lists, a lone id shows it, otherwise the first is the subcommand. Returns the id to show, or
/// nil to list; usage errors name the command and the thing (`noun`) it shows.
func listOrShowID(_ positionals: [String], command: String, noun: String, suggestSubcommand: Bool) throws -> String? {
    var rest = positionals
    var sub = "list"
    if let first = rest.first {
        if ["list", "show"].contains(first) {
            sub = first
            rest.removeFirst()
        } else if rest.count == 1 {
            sub = "show"
        } else {
            var msg = "unknown subcommand '\(first)'; expected list or show"
            if suggestSubcommand, let near = nearestNames(to: first, in: ["list", "show"], limit: 1).first { msg += " (did you mean '\(near)'?)" }
            throw UsageError(msg)
        }
    }
    if sub == "show" && rest.count != 1 {
        throw UsageError(rest.isEmpty ? "'\(command) show' needs a \(noun) id" : "'\(command) show' takes one \(noun) id")
    }
    if sub == "list" && !rest.isEmpty { throw UsageError("'\(command) list' takes no arguments, got '\(rest[0])'") }
    return sub == "show" ? rest[0] : nil
}
