import ChipModelKit

extension FuzzReport {
    /// The run's tally as JSON (`chipmodel-fuzz --format json`): counts per target, failure
    /// kinds, and every kept failure with its replay command. Seconds are wall-clock figures of
    /// this run, for people; nothing checks them.
    public var json: JSONValue {
        let names = Set(accepted.keys).union(rejected.keys).sorted()
        return .object([
            ("inputs", .int(count)), ("seed", .string(String(seed))), ("start", .int(start)),
            ("seconds", .num(seconds)), ("failures", .int(failures.count + droppedFailures)),
            ("targets", .object(names.map { ($0, .object([("results", .int(accepted[$0] ?? 0)),
                                                          ("cleanErrors", .int(rejected[$0] ?? 0))])) })),
            ("failureKinds", .object(failureKinds.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("failed", .array(failures.map { f in
                .object([("target", .string(f.target)), ("index", .int(f.index)), ("message", .string(f.message)),
                         ("replay", .string(f.replay))])
            })),
            ("droppedFailures", .int(droppedFailures)),
            ("stoppedByTimeLimit", .bool(stoppedByTimeLimit)),
        ])
    }
}
