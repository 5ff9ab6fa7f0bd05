/// Counts the inner steps of the loaders, so a test can check that their work grows linearly
/// with the input without timing anything: the JSON parser's steps (bytes validated and
/// scanned, values and members built) and the decoders' key lookups (object members compared,
/// suggestion candidates scored).
///
/// Counting is off unless a test binds a counter for the duration of a load:
/// `LoaderWorkCounter.$current.withValue(counter) { ... }`. The parser adds its tally once per
/// document; `ProblemLog` picks the counter up when it is created (one task-local read per
/// file), so the cost when nobody counts is an optional check per lookup.
package final class LoaderWorkCounter: @unchecked Sendable {
    package var parserSteps = 0
    package var lookupSteps = 0
    package var total: Int { parserSteps + lookupSteps }
    package init() {}

    @TaskLocal package static var current: LoaderWorkCounter?
}
