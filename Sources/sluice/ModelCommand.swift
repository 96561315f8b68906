import ArgumentParser

/// `sluice model`: draft, check and show the model file (the star, verify's checks, the report).
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Draft, check and show the model file: the star schema, verify's checks and the report.",
        discussion: """
            The model file (SLUICE_MODEL, --model) declares the star's dimensions and facts as SQL over \
            staging, how source changes reach the facts, the reconciliations verify adds and the report's \
            sections. The README's model file reference describes every key.
            """,
        subcommands: [ModelInitCommand.self, ModelCheckCommand.self, ModelPlanCommand.self])
}
