import MySQL
@testable import Pipeline
import Testing

/// Which MySQL types map to which Sluice column types, and the line for one that does not.
@Suite struct ColumnTypeMappingTests {
    typealias Columns = SchemaChangeTests

    @Test func spatialInetAndUUIDColumnsMap() throws {
        let schema = try TableSchema(Columns.definition([
            Columns.id, Columns.column("at", "point", "point"), Columns.column("g", "geometrycollection", "geometrycollection"),
            Columns.column("v6", "inet6", "inet6"), Columns.column("u", "uuid", "uuid"),
        ]))
        #expect(schema.columns.map(\.type) == [.integer(bits: 32, signed: true), .binary(maxLength: nil), .binary(maxLength: nil),
                                               .string(maxLength: nil), .string(maxLength: nil)])
        #expect(schema.columns[1].isGeometry && schema.columns[3].binaryText == .inet6 && schema.columns[4].binaryText == .uuid)
    }

    /// Every type MariaDB 10.11 offers maps now, so no server here can show this: a type from a
    /// newer server (MySQL 9 and MariaDB 11.7's VECTOR) is refused with the table, column and type.
    @Test func aTypeSluiceCannotMapIsNamed() {
        #expect {
            try TableSchema(Columns.definition([Columns.id, Columns.column("embedding", "vector", "vector(3)")]))
        } throws: { error in
            let summary = (error as? MySQLError)?.summary ?? ""
            return summary.contains("t.embedding") && summary.contains("vector(3)") && summary.contains("--tables")
        }
    }
}
