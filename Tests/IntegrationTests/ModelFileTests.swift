import Foundation
import Pipeline
import SluiceSupport
import SluiceTestSupport
import Testing

extension PipelineIntegration {
    /// A schema that is not classicmodels, from `sluice model init` to a star: a small lending
    /// library with a many-to-many bridge (books ↔ authors) and a fact with three date roles
    /// (loaned, due, returned). The draft plus the README's documented hand edit (the bridge) is
    /// checked, loaded, verified (mirrors and the drafted check included), changed through CDC,
    /// and its incremental star compared with a full rebuild, row by row (md5).
    @Suite struct ModelFileTests {
        static let schema = [
            "CREATE TABLE members (member_id INT PRIMARY KEY, name VARCHAR(60) NOT NULL, city VARCHAR(40), `group` VARCHAR(10))",
            "CREATE TABLE authors (author_id INT PRIMARY KEY, name VARCHAR(80) NOT NULL, country CHAR(2))",
            "CREATE TABLE books (book_id INT PRIMARY KEY, title VARCHAR(120) NOT NULL, published SMALLINT, list_price DECIMAL(8,2))",
            """
            CREATE TABLE book_authors (book_id INT NOT NULL, author_id INT NOT NULL, PRIMARY KEY (book_id, author_id),
                FOREIGN KEY (book_id) REFERENCES books (book_id), FOREIGN KEY (author_id) REFERENCES authors (author_id))
            """,
            """
            CREATE TABLE loans (loan_id INT PRIMARY KEY, member_id INT NOT NULL, book_id INT NOT NULL,
                loaned_on DATE NOT NULL, due_on DATE NOT NULL, returned_on DATE, fee DECIMAL(6,2) NOT NULL DEFAULT 0,
                FOREIGN KEY (member_id) REFERENCES members (member_id), FOREIGN KEY (book_id) REFERENCES books (book_id))
            """,
            "INSERT INTO members SELECT seq, CONCAT('member ', seq), IF(seq % 3 = 0, NULL, CONCAT('city ', seq % 4)), IF(seq % 2 = 0, 'a', NULL) FROM seq_1_to_20",
            "INSERT INTO authors SELECT seq, CONCAT('author ', seq), IF(seq % 4 = 0, NULL, 'NO') FROM seq_1_to_10",
            "INSERT INTO books SELECT seq, CONCAT('book ', seq), 1990 + seq, IF(seq % 5 = 0, NULL, seq * 3.25) FROM seq_1_to_30",
            "INSERT INTO book_authors SELECT seq, 1 + seq % 10 FROM seq_1_to_30",
            "INSERT INTO book_authors SELECT seq, 1 + (seq + 3) % 10 FROM seq_1_to_30 WHERE seq % 3 = 0",
            """
            INSERT INTO loans SELECT seq, 1 + seq % 20, 1 + seq % 30, DATE '2025-01-01' + INTERVAL seq DAY,
                DATE '2025-01-15' + INTERVAL seq DAY, IF(seq % 4 = 0, NULL, DATE '2025-01-10' + INTERVAL seq DAY), (seq % 7) * 0.75
            FROM seq_1_to_200
            """,
        ]

        /// The hand edit the README documents: the bridge `init` names but does not declare.
        static let bridgeUnit = """
              # Hand edit: the bridge between books and authors, rebuilt per link.
              - name: affected_book_authors
                columns: book_id, author_id
                mark_all: {table: book_authors, key: "CAST(book_id AS varchar) || '|' || CAST(author_id AS varchar)"}
                changes:
                  - |-
                    SELECT CAST(SPLIT_PART(key_text, '|', 1) AS integer) AS book_id, CAST(SPLIT_PART(key_text, '|', 2) AS integer) AS author_id
                    FROM star_pending WHERE table_name = 'book_authors'
                  - |-
                    SELECT b.book_id, b.author_id FROM staging.book_authors AS b
                    JOIN star_pending AS p ON p.table_name = 'books' AND p.key_text = CAST(b.book_id AS varchar)
                  - |-
                    SELECT b.book_id, b.author_id FROM staging.book_authors AS b
                    JOIN star_pending AS p ON p.table_name = 'authors' AND p.key_text = CAST(b.author_id AS varchar)

            """
        static let bridgeFact = """
              # Hand edit: which authors wrote which book, with each side's current version.
              - name: bridge_book_author
                mirrors: book_authors
                sources: [book_authors, books, authors]
                grain: [book_id, author_id]
                rebuild_unit: affected_book_authors
                columns:
                  - {name: book_id, type: integer, not_null: true}
                  - {name: author_id, type: integer, not_null: true}
                  - {name: books_key, type: bigint}
                  - {name: authors_key, type: bigint}
                distribution: {key: book_id}
                select: |-
                  SELECT b.book_id, b.author_id, k.books_key, w.authors_key
                  FROM staging.book_authors AS b
                  JOIN affected_book_authors AS a ON a.book_id = b.book_id AND a.author_id = b.author_id
                  LEFT JOIN mart.dim_books AS k ON k.book_id = b.book_id AND k.is_current
                  LEFT JOIN mart.dim_authors AS w ON w.author_id = b.author_id AND w.is_current

            """

        /// Every star row as an md5, with surrogate keys replaced by the natural keys they point at
        /// (a rebuild numbers versions anew; the bridge, which joins current versions, also by their
        /// attributes) and dimensions as their current versions (a rebuild starts history over). Dates: those the facts use (a rebuild never sees dates of deleted facts).
        static let starRows = [
            "SELECT 'member ' || md5(row(member_id, name, city, group_)::text) FROM mart.dim_members WHERE is_current",
            "SELECT 'author ' || md5(row(author_id, name, country)::text) FROM mart.dim_authors WHERE is_current",
            "SELECT 'book ' || md5(row(book_id, title, published, list_price)::text) FROM mart.dim_books WHERE is_current",
            """
            SELECT 'loan ' || md5(row(f.loan_id, m.member_id, b.book_id, f.loaned_on_key, f.due_on_key, f.returned_on_key, f.fee)::text)
            FROM mart.fact_loans AS f LEFT JOIN mart.dim_members AS m ON m.members_key = f.member_key
            LEFT JOIN mart.dim_books AS b ON b.books_key = f.book_key
            """,
            """
            SELECT 'bridge ' || md5(row(f.book_id, f.author_id, b.book_id, b.title, b.is_current, w.author_id, w.country, w.is_current)::text)
            FROM mart.bridge_book_author AS f LEFT JOIN mart.dim_books AS b ON b.books_key = f.books_key
            LEFT JOIN mart.dim_authors AS w ON w.authors_key = f.authors_key
            """,
            """
            SELECT 'date ' || md5(row(d.*)::text) FROM mart.dim_date AS d
            WHERE d.date_key IN (SELECT loaned_on_key FROM mart.fact_loans UNION SELECT due_on_key FROM mart.fact_loans
                                 UNION SELECT returned_on_key FROM mart.fact_loans)
            """,
        ]

        static func starDigest(_ warehouse: TestWarehouse) async throws -> [String] {
            var rows: [String] = []
            for query in starRows { rows += try await warehouse.rows(query).compactMap { $0[0] } }
            return rows.sorted()
        }

        @Test func aLibraryGoesFromModelInitToAVerifiedStarWhoseIncrementalUpdateEqualsARebuild() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            for statement in Self.schema { try await database.execute(statement) }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(database.name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("library.yaml").path
            let source = ["--mysql-database", database.name]
            var environment = warehouse.environment
            environment["SLUICE_MODEL"] = path

            // The draft: three dimensions, the loans fact with its date roles, the bridge named as one.
            let initialized = try runSluice(["model", "init", "--output", path] + source, environment: environment)
            #expect(initialized.status == 0, "\(initialized.standardError)")
            let draft = try String(contentsOfFile: path, encoding: .utf8)
            for expected in ["- name: dim_members", "- name: dim_books", "- name: dim_authors", "- name: fact_loans",
                             "{name: loaned_on_key, type: integer, not_null: true}", "{name: due_on_key, type: integer, not_null: true}",
                             "{name: returned_on_key, type: integer}", "{name: group_, type: \"varchar(10)\"}", "# guess:",
                             "book_authors: links books and authors without measures: a bridge?", "- name: total fee"] {
                #expect(draft.contains(expected), "the draft lacks \(expected):\n\(draft)")
            }
            #expect(!draft.contains("name: fact_book_authors"))
            let refused = try runSluice(["model", "init", "--output", path] + source, environment: environment)
            #expect(refused.status != 0 && refused.standardError.contains("already exists"))

            // The documented hand edit, then check before anything is loaded (the file and the source only).
            // (Also documented: authors' attributes overwritten in place, SCD type 1, and an unknown member.)
            #expect(draft.contains("    table: authors\n    scd: 2"))
            let edited = draft.replacingOccurrences(of: "rebuild_units:\n", with: "rebuild_units:\n" + Self.bridgeUnit)
                .replacingOccurrences(of: "facts:\n", with: "facts:\n" + Self.bridgeFact)
                .replacingOccurrences(of: "    table: authors\n    scd: 2", with: "    table: authors\n    scd: 1")
                .replacingOccurrences(of: "    mirrors: members\n", with: "    mirrors: members\n    static_rows:\n      - {member_id: -1, name: \"(no member)\"}\n")
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
            let early = try runSluice(["model", "check"] + source, environment: environment)
            #expect(early.status == 0, "\(early.standardOutput)\(early.standardError)")
            #expect(early.standardOutput.contains("note: staging has no"))

            // Snapshot, land, load: the star is built; verify adds mirrors and the drafted check; model check tries the SQL.
            try SchemaChangeTests.run(database, warehouse, ["--model", path])
            try await expectVerified(database, warehouse, model: path)
            let checked = try runSluice(["model", "check"] + source, environment: environment)
            #expect(checked.status == 0 && checked.standardOutput.contains("model check: \(path) ✓"), "\(checked.standardOutput)\(checked.standardError)")
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.fact_loans") == "200")
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.bridge_book_author") == "40")
            #expect(try await warehouse.rows("SELECT name, city, is_current FROM mart.dim_members WHERE member_id = -1") == [["(no member)", nil, "true"]])
            #expect(try await warehouse.scalar("SELECT count(DISTINCT date_key) FROM mart.dim_date") != "0")

            // CDC: a member moves (a new version), a book and an author change, loans come, go and are returned, links change.
            for statement in [
                "UPDATE members SET city = 'Bergen' WHERE member_id = 3",
                "UPDATE books SET list_price = 99.95, title = 'book five, revised' WHERE book_id = 5",
                "UPDATE authors SET country = 'SE' WHERE author_id = 2",
                "UPDATE authors SET country = NULL WHERE author_id = 3",     // type 1, to and from NULL: still one row
                "UPDATE authors SET country = 'DK' WHERE author_id = 4",
                "INSERT INTO loans VALUES (201, 3, 5, '2026-02-01', '2026-02-15', NULL, 0), (202, 7, 12, '2026-02-02', '2026-02-16', '2026-02-20', 1.50)",
                "UPDATE loans SET returned_on = '2026-01-31', fee = 4.25 WHERE loan_id = 8",
                "DELETE FROM loans WHERE loan_id IN (11, 12)",
                "INSERT INTO book_authors VALUES (5, 9)",
                "DELETE FROM book_authors WHERE book_id = 6",
                "UPDATE members SET `group` = NULL WHERE member_id = 4",
            ] { try await database.execute(statement) }
            try SchemaChangeTests.run(database, warehouse, ["--model", path])
            try await expectVerified(database, warehouse, model: path)
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.dim_members WHERE member_id = 3") == "2")
            #expect(try await warehouse.rows("SELECT author_id, country, is_current FROM mart.dim_authors WHERE author_id IN (2, 3, 4) ORDER BY 1")
                    == [["2", "SE", "true"], ["3", nil, "true"], ["4", "DK", "true"]])
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.fact_loans") == "200")
            #expect(try await warehouse.scalar("SELECT fee FROM mart.fact_loans WHERE loan_id = 8") == "4.25")

            // The incremental star equals one rebuilt from staging, row by row.
            let incremental = try await Self.starDigest(warehouse)
            let rebuilt = try runSluice(["load", "--rebuild-star", "--lake-root", "\(database.name)/raw"] + source, environment: environment)
            #expect(rebuilt.status == 0, "\(rebuilt.standardError)")
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.dim_members WHERE member_id = 3") == "1")
            let full = try await Self.starDigest(warehouse)
            #expect(incremental.count == full.count && incremental.count > 300)
            let differing = Set(incremental).symmetricDifference(full).sorted()
            #expect(differing.isEmpty, "\(differing.count) star rows differ between the incremental star and a rebuild, e.g. \(differing.prefix(4))")
            try await expectVerified(database, warehouse, model: path)
        }

        /// Names a warehouse must quote (capitals, spaces, a reserved word, a composite key): the draft
        /// quotes them in staging and names the star plainly, and it loads, verifies and reports as drafted.
        @Test func aDraftForAwkwardNamesLoadsAndVerifiesUnedited() async throws {
            let database = try await TestDatabase.create()
            defer { Task { await database.drop() } }
            let warehouse = try await TestWarehouse.create()
            for statement in [
                "CREATE TABLE `Customers` (`Id` INT PRIMARY KEY, `Full Name` VARCHAR(40) NOT NULL, `Region` VARCHAR(10))",
                "CREATE TABLE `Products` (`order` INT PRIMARY KEY, `Label` VARCHAR(30) NOT NULL)",
                """
                CREATE TABLE `Sales Lines` (`Line Id` INT NOT NULL, `Part` SMALLINT NOT NULL, `Customer Id` INT NOT NULL, `product` INT NOT NULL,
                    `Sold On` DATE NOT NULL, `Amount` DECIMAL(10,2) NOT NULL, PRIMARY KEY (`Line Id`, `Part`),
                    FOREIGN KEY (`Customer Id`) REFERENCES `Customers` (`Id`), FOREIGN KEY (`product`) REFERENCES `Products` (`order`))
                """,
                "INSERT INTO `Customers` SELECT seq, CONCAT('Customer ', seq), IF(seq % 2 = 0, 'North', NULL) FROM seq_1_to_8",
                "INSERT INTO `Products` SELECT seq, CONCAT('Product ', seq) FROM seq_1_to_5",
                "INSERT INTO `Sales Lines` SELECT seq DIV 2, seq % 2, 1 + seq % 8, 1 + seq % 5, DATE '2026-03-01' + INTERVAL seq DAY, seq * 1.25 FROM seq_2_to_61",
            ] { try await database.execute(statement) }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(database.name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("shop.yaml").path
            var environment = warehouse.environment
            environment["SLUICE_MODEL"] = path
            let source = ["--mysql-database", database.name]
            let initialized = try runSluice(["model", "init", "--output", path] + source, environment: environment)
            #expect(initialized.status == 0, "\(initialized.standardError)")
            let draft = try String(contentsOfFile: path, encoding: .utf8)
            for expected in ["FROM staging.\"Sales Lines\" AS f", "\"order\" AS order_", "- name: fact_sales_lines", "{name: line_id, type: \"integer\", not_null: true}"] {
                #expect(draft.contains(expected), "the draft lacks \(expected):\n\(draft)")
            }
            try SchemaChangeTests.run(database, warehouse, ["--model", path])
            let tables = ["Customers", "Products", "Sales Lines"]
            try await expectVerified(database, warehouse, model: path, tables: tables, check: "total Amount")
            let checked = try runSluice(["model", "check"] + source, environment: environment)
            #expect(checked.status == 0, "\(checked.standardOutput)\(checked.standardError)")
            #expect(try await warehouse.scalar("SELECT count(*) FROM mart.fact_sales_lines WHERE customer_key IS NOT NULL AND product_key IS NOT NULL") == "60")

            try await database.execute("UPDATE `Customers` SET `Region` = 'South' WHERE `Id` = 3")
            try await database.execute("UPDATE `Products` SET `Label` = 'Renamed' WHERE `order` = 2")
            // A line dated after both changes (next year) gets their new versions; the older lines keep the versions of their dates.
            try await database.execute("INSERT INTO `Sales Lines` VALUES (99, 0, 3, 2, '\(Calendar.current.component(.year, from: Date()) + 1)-01-01', 10.00)")
            try SchemaChangeTests.run(database, warehouse, ["--model", path])
            try await expectVerified(database, warehouse, model: path, tables: tables, check: "total Amount")
            #expect(try await warehouse.rows("""
                SELECT c.region, p.label FROM mart.fact_sales_lines AS f JOIN mart.dim_customers AS c ON c.customers_key = f.customer_key
                JOIN mart.dim_products AS p ON p.products_key = f.product_key WHERE f.line_id = 99
                """) == [["South", "Renamed"]])
            #expect(try await warehouse.rows("""
                SELECT DISTINCT c.region, c.is_current FROM mart.fact_sales_lines AS f JOIN mart.dim_customers AS c ON c.customers_key = f.customer_key
                WHERE c.id = 3 AND f.line_id <> 99
                """) == [[nil, "false"]])
            let report = try runSluice(["report", "--output", folder.appendingPathComponent("report").path] + source, environment: environment)
            #expect(report.status == 0 && report.standardOutput.contains("== Top 10 Customers by Amount"), "\(report.standardOutput)\(report.standardError)")

            // Without a model file: loading to staging only and verify (nothing compared in the star) still
            // work; a load that would update the star names the setting it needs.
            try await database.execute("UPDATE `Customers` SET `Region` = 'West' WHERE `Id` = 4")
            var bare = warehouse.environment
            bare["SLUICE_MODEL"] = ""
            let extracted = try runSluice(["extract", "--topic-prefix", database.name] + source, environment: bare)
            let landed = try runSluice(["land", "--topic-prefix", database.name, "--lake-root", "\(database.name)/raw"] + source, environment: bare)
            #expect(extracted.status == 0 && landed.status == 0, "\(extracted.standardError)\(landed.standardError)")
            let refused = try runSluice(["load", "--lake-root", "\(database.name)/raw"] + source, environment: bare)
            #expect(refused.status != 0 && refused.standardError.contains("SLUICE_MODEL is not set"), "\(refused.standardError)")
            let staged = try runSluice(["load", "--no-star", "--lake-root", "\(database.name)/raw"] + source, environment: bare)
            #expect(staged.status == 0, "\(staged.standardError)")
            #expect(try await warehouse.scalar(#"SELECT region FROM staging."Customers" WHERE id = 4"#) == "West")
            let verify = try runSluice(["verify", "--json"] + SchemaChangeTests.arguments(database.name), environment: bare)
            #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
            let checks = try JSONValue.parse(Array(verify.standardOutput.utf8))["checks"]?.arrayValue ?? []
            #expect(!checks.isEmpty && checks.allSatisfy { $0["mart"] == .null }, "\(verify.standardOutput)")
        }

        /// `sluice verify` ✓ with the model's mirrors and check compared in the star, and staging equal to MySQL.
        func expectVerified(_ database: TestDatabase, _ warehouse: TestWarehouse, model: String,
                            tables: [String] = ["members", "authors", "books", "book_authors", "loans"], check: String = "total fee",
                            sourceLocation: SourceLocation = #_sourceLocation) async throws {
            try await SchemaChangeTests.expectExact(database, warehouse, tables: tables, sourceLocation: sourceLocation)
            let verify = try runSluice(["verify", "--json", "--model", model] + SchemaChangeTests.arguments(database.name),
                                       environment: warehouse.environment)
            let report = try JSONValue.parse(Array(verify.standardOutput.utf8))
            let checks = report["checks"]?.arrayValue ?? []
            let total = checks.first { $0["check"]?.stringValue == check }
            #expect(total?["mart"]?.stringValue != nil && total?["passed"] == .bool(true), "\(verify.standardOutput)", sourceLocation: sourceLocation)
            for table in tables {
                let rows = checks.first { $0["table"]?.stringValue == table && $0["check"]?.stringValue == "rows" }
                #expect(rows?["mart"]?.stringValue != nil, "\(table) has no star mirror in verify", sourceLocation: sourceLocation)
            }
        }
    }
}
