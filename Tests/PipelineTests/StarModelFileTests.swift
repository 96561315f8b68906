import Foundation
@testable import Pipeline
import Testing

/// `models/classicmodels.yaml` declares the star the engine builds: the SQL made from it equals
/// the engine's, statement by statement, in both dialects (work in progress, issue 17).
@Suite struct StarModelFileTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/classicmodels.yaml").path

    /// Runs of white space as one space: the facts' statements are laid out differently.
    static func normalized(_ statements: [String]) -> [String] {
        statements.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
    }

    @Test(arguments: SQLDialect.Kind.allCases) func theModelFileBuildsTheEnginesStar(kind: SQLDialect.Kind) throws {
        let dialect = SQLDialect(kind: kind)
        let model = try StarModelFile.load(path: Self.path).definition()
        let engine = StarSchema.definition
        #expect(model.sourceTables == engine.sourceTables)
        // Dimensions, dates and rebuild units: byte for byte.
        #expect(model.dimensions.flatMap { $0.update(dialect) } == engine.dimensions.flatMap { $0.update(dialect) })
        #expect(model.dimensions.map { $0.create(dialect) } == engine.dimensions.map { $0.create(dialect) })
        #expect(model.dateDimension.update(dialect) == engine.dateDimension.update(dialect))
        #expect(model.units.map(\.query) == engine.units.map(\.query))
        #expect(model.markEverything() == engine.markEverything())
        // Everything, with white space normalized.
        #expect(Self.normalized(model.createStatements(dialect)) == Self.normalized(engine.createStatements(dialect)))
        let (built, running) = (Self.normalized(model.updateStatements(dialect)), Self.normalized(engine.updateStatements(dialect)))
        #expect(built.count == running.count)
        for (index, pair) in zip(built, running).enumerated() where pair.0 != pair.1 {
            Issue.record("statement \(index) differs:\n\(pair.0)\n---\n\(pair.1)")
        }
    }

    @Test func anUnknownColumnTypeIsOneClearLine() throws {
        #expect(throws: ConfigError.self) { try StarModelFile.kind("varchar") }
        #expect(try StarModelFile.kind("numeric(21, 2)") == .numeric(21, 2))
    }
}
