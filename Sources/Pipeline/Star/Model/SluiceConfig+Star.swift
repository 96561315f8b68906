extension SluiceConfig {
    /// The star the model file declares (`SLUICE_MODEL`, `--model`).
    func star() throws -> StarDefinition {
        try StarModelFile.load(path: try required(.model)).definition()
    }
}
