import ChipModelKit

/// `chipmodel validate`: Compare estimates with published measurements.
public enum ValidateCommand: CLICommand {
    public static let name = "validate"
    public static let abstract = "Compare estimates with published measurements."
    public static let usage = "validate --cases FILE [--format table|json|csv] [--kind training|inference] [--explain ID]"
    public static let discussion = """
    Reads measurement cases (a JSON array in the format of Benchmarks/CASES.md), estimates each case's
    metric with the estimator for its kind (training or inference), and reports the signed
    relative error (estimate - measured) / measured and the plan used. A case that cannot be
    estimated (unknown chip, plan that does not fit, unsupported model) is reported with its
    reason and never stops the others.

    Table output lists cases worst first (failed cases first), then the summary overall and
    per kind: weighted median (the lower weighted median), weighted mean and maximum absolute
    error over cases with weight > 0 that were estimated. JSON output is the Benchmarks/CASES.md report
    in case-file order. A bad case file is reported one problem per line (file and key path),
    exit 65.

    EXAMPLES:
      chipmodel validate --cases Benchmarks/calibration-cases.json
      chipmodel validate --cases Benchmarks/calibration-cases.json --kind inference --format json
      chipmodel validate --cases Benchmarks/calibration-cases.json --explain TRN-KOR22-03
    """
    public static let options: [OptionSpec] = [
        .value("--cases", "FILE", "Case file: a JSON array of measurement cases (Benchmarks/CASES.md). Required."),
        .value("--kind", "training|inference", "Only run the cases of this kind."),
        .value("--explain", "ID", "Print the full breakdown of one case's estimate."),
    ]
    public static let maxPositionals = 0

    public static func run(_ args: ParsedArguments, _ context: CommandContext) throws -> Int32 {
        try execute(args, context, estimators: ValidationEstimators.default)
    }

    /// `run` with an explicit estimator registry (tests pass a test double).
    public static func execute(_ args: ParsedArguments, _ context: CommandContext,
                               estimators: [MeasurementCase.Kind: any CaseEstimating]) throws -> Int32 {
        guard let file = args.value("--cases") else { throw UsageError("missing required option '--cases FILE'") }
        let format = try ChipModelCLI.format(args)
        let kind = try args.choice("--kind", from: MeasurementCase.Kind.allCases.map(\.rawValue))
            .flatMap(MeasurementCase.Kind.init(rawValue:))
        let explainID = args.value("--explain")

        let bytes = try context.readFile(file)
        var cases = try CaseDecoder.decode(bytes: bytes, file: file).get()
        let catalog = try ChipModelCLI.catalog(args, context)
        let zoo = try ModelZoo.builtIn()
        let validator = Validator(estimators: estimators, catalog: catalog, zoo: zoo)

        if let explainID {
            guard let c = cases.first(where: { $0.id == explainID }) else {
                throw UnknownIDError(kind: "case", id: explainID, suggestions: nearestNames(to: explainID, in: cases.map(\.id)))
            }
            let r = validator.run(c)
            switch format {
            case .json:
                var members = ValidationReport(results: [r]).json["cases"]?.arrayValue?.first?.objectMembers ?? []
                members.append(("explanation", .array((r.estimate?.explanation ?? []).map { .string($0) })))
                context.out(JSONValue.object(members).serialized() + "\n")
            case .table, .csv:
                context.out(ValidationReport.explain(r))
            }
            return 0
        }

        if let kind { cases = cases.filter { $0.kind == kind } }
        let missing = Set(cases.map(\.kind)).filter { estimators[$0] == nil }.map(\.rawValue).sorted()
        if !missing.isEmpty {
            context.err("note: no estimator registered for \(missing.joined(separator: " and ")) cases; they are reported as failed\n")
        }
        let report = validator.run(cases)
        switch format {
        case .json:
            context.out(report.json.serialized() + "\n")
        case .csv:
            context.out(TextTable(headers: ValidationReport.caseHeaders, rows: report.caseRows).renderCSV())
        case .table:
            context.out(report.renderText())
        }
        return 0
    }
}
