import Foundation
import Kafka
import Pipeline
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// `sluice extract` of classicmodels: counts, exact decimals, NULLs and latin1 text.
    @Suite struct ExtractSnapshotTests {
        @Test func snapshotOfClassicmodelsIsExact() throws {
            let prefix = "snap\(UUID().uuidString.prefix(6).lowercased())"
            let result = try runSluice(["extract", "--topic-prefix", prefix])
            #expect(result.status == 0, "\(result.standardError)")

            let expected = ["customers": 122, "employees": 23, "offices": 7, "orderdetails": 2996,
                            "orders": 326, "payments": 273, "productlines": 7, "products": 110]
            for (table, count) in expected {
                let messages = try readTopic("\(prefix).\(table)")
                #expect(messages.count == count, "\(table)")
                #expect(messages.allSatisfy { $0.json?["op"] == .string("r") })
            }

            // quantityOrdered × priceEach with exact decimals.
            var total = Decimal(0)
            for message in try readTopic("\(prefix).orderdetails") {
                let after = try #require(message.json?["after"])
                let quantity = try #require(after["quantityOrdered"]?.numberText)
                let price = try #require(after["priceEach"]?.stringValue)
                total += Decimal(string: quantity)! * Decimal(string: price)!
            }
            #expect(total == Decimal(string: "9604190.61")!)

            let customers = try readTopic("\(prefix).customers")
            let mini = try #require(customers.first { $0.keyText == #"{"customerNumber":209}"# }?.json?["after"])
            #expect(mini["customerName"] == .string("Mini Caravy"))
            #expect(mini["contactFirstName"] == .string("Frédérique "))
            #expect(mini["addressLine1"] == .string("24, place Kléber"))
            #expect(mini["addressLine2"] == .null)
            #expect(mini["creditLimit"] == .string("53800.00"))
            #expect(mini["salesRepEmployeeNumber"] == .number("1370"))

            // Schemas: one version per table, with exact types.
            let schemas = try readTopic("\(prefix)._schemas")
            #expect(Set(schemas.map(\.keyText)) == Set(expected.keys.map { "\($0)#v1" }))
            let orderdetails = try TableSchema(json: try #require(schemas.first { $0.keyText == "orderdetails#v1" }?.json))
            #expect(orderdetails.version == 1)
            #expect(orderdetails.key == ["orderNumber", "productCode"])
            #expect(orderdetails.columns.first { $0.name == "priceEach" }?.type == .decimal(precision: 10, scale: 2))

            // Orders keep their DATE values and NULL shipped dates.
            let orders = try readTopic("\(prefix).orders")
            let first = try #require(orders.first { $0.keyText == #"{"orderNumber":10100}"# }?.json?["after"])
            #expect(first["orderDate"] == .string("2003-01-06"))
            #expect(orders.contains { $0.json?["after"]?["shippedDate"] == .null })
        }

        @Test func unknownTableIsOneClearLine() throws {
            let result = try runSluice(["extract", "--tables", "customers,nosuchtable", "--topic-prefix", "bad\(UUID().uuidString.prefix(6))"])
            #expect(result.status != 0)
            let lines = result.standardError.split(separator: "\n").filter { !$0.contains(" info ") && !$0.contains(" notice ") }
            #expect(lines.count == 1, "\(result.standardError)")
            #expect(result.standardError.contains("nosuchtable"))
        }

        @Test func wrongPasswordIsOneClearLine() throws {
            let result = try runSluice(["extract", "--topic-prefix", "pw\(UUID().uuidString.prefix(6))"],
                                       environment: ["MYSQL_PASSWORD": "not-the-password"])
            #expect(result.status != 0)
            #expect(result.standardError.contains("Access denied"))
            #expect(result.standardError.split(separator: "\n").count == 1, "\(result.standardError)")
            #expect(!result.standardError.contains("not-the-password"))
        }
    }
}
