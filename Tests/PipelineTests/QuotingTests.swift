import MySQL
@testable import Pipeline
import SluiceSupport
import Testing
import Warehouse

/// Generated SQL quotes names and literals by Unicode scalars: a quote followed by a combining
/// mark is one Swift `Character`, but the server still sees a quote that must be doubled.
@Suite struct QuotingTests {
    static let quoteWithMark = "it\u{0027}\u{0301}s"     // ' + COMBINING ACUTE ACCENT: one Character
    static let doubleQuoteWithMark = "a\u{0022}\u{0301}b"

    @Test func postgresDoublesQuotesEvenBeforeCombiningMarks() {
        #expect(Array(Self.quoteWithMark).count == 4, "the quote and its mark are one Character")
        #expect(WarehouseSession.literal(Self.quoteWithMark) == "'it''\u{0301}s'")
        #expect(WarehouseSession.quote(Self.doubleQuoteWithMark) == "\"a\"\"\u{0301}b\"")
        #expect(WarehouseSession.quote("order lines") == "\"order lines\"")
        #expect(WarehouseSession.quote("select") == "\"select\"")
    }

    @Test func mysqlEscapesByScalarsToo() {
        #expect(MySQLConnection.escapeLiteral(Self.quoteWithMark) == "it''\u{0301}s")
        #expect(MySQLConnection.escapeLiteral("a\\b\0c") == "a\\\\b\\0c")
        #expect(MySQLConnection.quoteIdentifier("we`\u{0301}ird") == "`we``\u{0301}ird`")
    }

    @Test func topicNamesAreSafeAndDistinct() {
        let topics = ExtractTopics(prefix: "shop db")
        #expect(topics.table("order lines") == "shop-20db.order-20lines")
        #expect(topics.table("café") == "shop-20db.caf-c3-a9")
        #expect(topics.table("a-b") != topics.table("a-2db"))
        #expect(ExtractTopics.topicName("plain_name.v2") == "plain_name.v2")
        // In a table's name `.` and a leading `_` are written in hex: one topic per table, none of Sluice's own.
        #expect(topics.table("a.b") == "shop-20db.a-2eb")
        #expect(topics.table("_schemas") == "shop-20db.-5fschemas")
        #expect(topics.table("a_b") == "shop-20db.a_b")
        let names = ["a.b", "a_b", "a-2eb", "-2eb", "_offsets", "-5foffsets", "__x", "x_", ".", "_", "-"]
        #expect(Set(names.map(topics.table)).count == names.count)
        #expect(Set(names.map(topics.table)).isDisjoint(with: [topics.schemas, topics.offsets, topics.signals, topics.deadLetters]))
        for name in ["order lines", "café", "Σ", "a-b", "select", "x/y"] {
            #expect(ExtractTopics.topicName(name).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        }
    }

    /// The reserved column names are exactly the columns the lake and staging add.
    @Test func reservedColumnNamesAreSluicesOwn() {
        #expect(LakeFileSchema.metadataColumns.map(\.name) == ReservedColumnNames.lake)
        #expect(StagingTable.metadataColumns.map { String($0.prefix { $0 != " " }) } == ReservedColumnNames.staging)
        #expect(!ReservedColumnNames.isLakeMetadata("_id") && ReservedColumnNames.isLakeMetadata("_op"))
    }
}
