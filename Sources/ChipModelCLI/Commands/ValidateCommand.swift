import ChipModelKit

/// `chipmodel validate`: Compare estimates with published measurements.
public enum ValidateCommand: CLICommand {
    public static let name = "validate"
    public static let abstract = "Compare estimates with published measurements."
    public static let usage = "validate --cases FILE [--format table|json|csv] [--kind training|inference] [--explain ID] [--cross-validate family|source]"
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

    --cross-validate family|source refits the training estimator's shared constants with one chip
    family (or one publication, the case's source up to its first comma) left out at a time and
    estimates each left-out case with them: the error to expect on a chip nobody calibrated (family)
    or a new workload on a calibrated chip (source), printed next to the in-sample error of the
    checked-in constants, with every fold's refit constants. Training cases only.

    EXAMPLES:
      chipmodel validate --cases Benchmarks/calibration-cases.json
      chipmodel validate --cases Benchmarks/calibration-cases.json --cross-validate family
      chipmodel validate --cases Benchmarks/calibration-cases.json --kind inference --format json
      chipmodel validate --cases Benchmarks/calibration-cases.json --explain TRN-KOR22-03

    \(WorkLimit.helpText)
    """
    public static let options: [OptionSpec] = [
        .value("--cases", "FILE", "Case file: a JSON array of measurement cases (Benchmarks/CASES.md). Required."),
        .value("--kind", "training|inference", "Only run the cases of this kind."),
        .value("--explain", "ID", "Print the full breakdown of one case's estimate."),
        .value("--cross-validate", "family|source", "Training: refit the constants leaving one chip family (or source) out at a time; report each left-out case's error."),
        WorkLimit.option,
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
        let crossValidate = try args.choice("--cross-validate", from: TrainingCrossValidation.Grouping.allCases.map(\.rawValue))
            .flatMap(TrainingCrossValidation.Grouping.init(rawValue:))
        if crossValidate != nil && (explainID != nil || kind == .inference) {
            throw UsageError("--cross-validate cannot be combined with --explain or --kind inference (it refits the training constants)")
        }

        let bytes = try context.readFile(file)
        var cases = try CaseDecoder.decode(bytes: bytes, file: file).get()
        let catalog = try ChipModelCLI.catalog(args, context)
        let zoo = try ModelZoo.builtIn()
        let validator = Validator(estimators: estimators, catalog: catalog, zoo: zoo)

        if let grouping = crossValidate {
            try WorkLimit.check(workEstimate(cases.filter { $0.kind == .training }), args)
            let fitter = TrainingCalibrationFitter(cases: cases, catalog: catalog, zoo: zoo)
            guard fitter.cases.contains(where: { $0.weight > 0 && $0.unusable == nil }) else {
                throw UsageError("--cross-validate: \(file) has no estimable training case with weight > 0")
            }
            let report = TrainingCrossValidation.run(fitter, grouping: grouping)
            switch format {
            case .json: context.out(report.json.serialized() + "\n")
            case .csv: context.out(report.caseTable.renderCSV())
            case .table: context.out(report.renderText())
            }
            return 0
        }

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
            case .csv: context.out(ValidationReport.explainCSV(r))
            case .table: context.out(ValidationReport.explain(r))
            }
            return 0
        }

        if let kind { cases = cases.filter { $0.kind == kind } }
        try WorkLimit.check(workEstimate(cases), args)
        let missing = Set(cases.map(\.kind)).filter { estimators[$0] == nil }.map(\.rawValue).sorted()
        if !missing.isEmpty {
            context.err("note: no estimator registered for \(missing.joined(separator: " and ")) cases; they are reported as failed\n")
        }
        stream(cases, validator: validator, format: format, context: context)
        return 0
    }
}
