import Foundation
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// Spatial columns and MariaDB's INET4, INET6 and UUID, through the snapshot and CDC (each
    /// stopped its table before): staging equal to MySQL value by value and `verify` ✓.
    @Suite struct ServerTypesTests {
        typealias Exact = SchemaChangeTests

        @Test func spatialInetAndUUIDColumnsArriveExactly() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            try await database.execute("""
                CREATE TABLE places (id INT PRIMARY KEY, at POINT, shape GEOMETRY, area POLYGON, route LINESTRING REF_SYSTEM_ID=4326,
                                     v4 INET4, v6 INET6, u UUID, many MULTIPOINT, bag GEOMETRYCOLLECTION)
                """)
            try await database.execute("CREATE TABLE hits (u UUID PRIMARY KEY, v6 INET6 NOT NULL, n INT)")
            try await database.execute("CREATE TABLE seen (at POINT, v6 INET6)")   // no key: a multiset
            let addresses = ["2001:db8::ff00:42:8329", "::", "::1", "1::", "::ffff:192.0.2.128", "::192.0.2.128", "fe80::1:0:0:1",
                             "1:0:0:2:0:0:0:3", "1:0:2:0:3:0:4:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "0:0:0:0:0:1:0:0",
                             "::0.0.1.0", "0:0:0:0:0:0:1:0", "1:2:3:4:5:6:7:0", "::ffff:0:0", "64:ff9b::1.2.3.4"]
            func row(_ id: Int) -> String {
                let v6 = addresses[id % addresses.count]
                return """
                    (\(id), POINT(\(id), -\(id) / 3), ST_GeomFromText('LINESTRING(0 0, \(id) 1, 2 \(id))', 3857),
                     ST_GeomFromText('POLYGON((0 0, \(id) 0, \(id) \(id), 0 0))'), ST_GeomFromText('LINESTRING(1 2, 3 \(id))', 4326),
                     '10.\(id % 256).0.\(255 - id % 256)', '\(v6)', UUID(), ST_GeomFromText('MULTIPOINT(1 1, \(id) 2)'),
                     ST_GeomFromText('GEOMETRYCOLLECTION(POINT(\(id) 0), LINESTRING(0 0, 1 \(id)))'))
                    """
            }
            try await database.execute("INSERT INTO places VALUES " + (1...30).map(row).joined(separator: ", "))
            try await database.execute("INSERT INTO places (id) VALUES (31)")
            try await database.execute("INSERT INTO hits VALUES ('00000000-0000-0000-0000-000000000000', '::', 1), ('ffffffff-ffff-1fff-bfff-ffffffffffff', '::1', 2), (UUID(), '1::', 3)")
            try await database.execute("INSERT INTO seen VALUES (POINT(1, 1), '::1'), (POINT(1, 1), '::1'), (NULL, '2001:db8::1')")
            let tables = ["places", "hits", "seen"]
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: tables)

            try await database.execute("INSERT INTO places VALUES " + (32...50).map(row).joined(separator: ", "))
            try await database.execute("UPDATE places SET at = POINT(-1.5, 2.25), v6 = '::ffff:10.0.0.1', u = UUID() WHERE id <= 5")
            try await database.execute("UPDATE places SET at = NULL, v4 = NULL, v6 = NULL, u = NULL, shape = NULL WHERE id = 6")
            try await database.execute("DELETE FROM places WHERE id = 7")
            try await database.execute("UPDATE hits SET u = UUID(), n = n + 10 WHERE n = 2")
            try await database.execute("INSERT INTO hits VALUES (UUID(), 'fe80::1:0:0:1', 4)")
            try await database.execute("DELETE FROM seen WHERE v6 = '::1' LIMIT 1")
            try await database.execute("INSERT INTO seen VALUES (POINT(2, 3), 'ffff::'), (ST_GeomFromText('POINT(5 6)', 4326), '::ffff:1.2.3.4')")
            try Exact.run(database, warehouse)
            try await Exact.expectExact(database, warehouse, tables: tables)
        }
    }
}
