import Foundation
import Parquet
import S3

/// The lake's view of a table for `verify`: every object read, each key's
/// latest change kept (by binlog file, position, row), deletes dropped, then
/// counted and summed exactly. Holds one small entry per key.
enum LakeState {
    struct Entry {
        var order: SourceOrder
        var deleted: Bool
        var values: [String?]
        /// Each requested product of columns (nil where a factor is NULL).
        var products: [Decimal?] = []
        var keyText = ""
        /// Every key column's value (all columns for a table without a primary key): a row's identity.
        var identity: [String?] = []
    }

    /// A sum of products of columns a model check compares (e.g. quantity × price), and the decimals it prints with.
    struct Product {
        var columns: [String]
        var scale: Int
    }

    /// `scales[i]` is the number of decimals of measure `i`, so sums print like the databases' (`12.50`).
    static func figures(s3: S3Client, bucket: String, layout: LakeLayout, table: String, key: [String],
                        measures: [String], scales: [Int], products: [Product] = []) async throws -> Verifier.Figures? {
        let objects = try await layout.dataObjects(s3: s3, bucket: bucket, table: table)
        guard !objects.isEmpty else { return nil }
        var latest: [String: Entry] = [:]
        // Tables without a primary key are multisets: every change, applied in source order below.
        var changes: [Entry] = []
        var multiset = false
        // Rows older than the highest floor (a snapshot, truncate or drop began there) are superseded.
        var floor: SourceOrder?
        for object in objects {
            let contents = try await LakeFileContents.read(object, s3: s3, bucket: bucket, layout: layout)
            if contents.rowCount == 0 { continue }   // tombstones only
            multiset = multiset || !contents.hasPrimaryKey
            if let fileFloor = contents.floor { floor = max(floor ?? fileFloor, fileFloor) }
            let orders = try contents.sourceOrders()
            func texts(_ name: String) -> [String?] {
                guard let index = contents.columns.firstIndex(where: { $0.name == name }) else {
                    return Array(repeating: nil, count: contents.rowCount)
                }
                return StagingColumn(contents.columns[index]).texts(contents.values[index])
            }
            // Binary key columns as lower-case hex, as MySQL's and the warehouse's key hashes read them.
            let keys = key.map { name -> [String?] in
                guard let column = contents.columns.first(where: { $0.name == name }), StagingColumn(column).sqlType == "bytea" else {
                    return texts(name)
                }
                return texts(name).map { $0.map { String($0.dropFirst(2)) } }   // COPY's `\x…` → hex
            }
            let values = measures.map(texts)
            let operations = texts("_op")
            let factors = products.map { $0.columns.map(texts) }
            for index in 0..<contents.rowCount {
                // Like CONCAT_WS in MySQL and PostgreSQL: NULL parts are skipped.
                if operations[index] == "t" {
                    floor = max(floor ?? orders[index], orders[index])
                    continue
                }
                if operations[index] == "s" { continue }   // a schema version begins: no row
                let keyText = keys.compactMap { $0[index] }.joined(separator: "|")
                var entry = Entry(order: orders[index], deleted: operations[index] == "d", values: values.map { $0[index] },
                                  keyText: keyText, identity: keys.map { $0[index] })
                entry.products = factors.map { columns in
                    columns.reduce(Decimal(1) as Decimal?) { product, column in
                        guard let product, let value = column[index].flatMap({ Decimal(string: $0) }) else { return nil }
                        return product * value
                    }
                }
                if !contents.hasPrimaryKey {
                    if operations[index] != "u" { changes.append(entry) }   // an identical update changes nothing
                    continue
                }
                if let existing = latest[keyText], existing.order >= entry.order { continue }
                latest[keyText] = entry
            }
        }
        var rows = latest.values.filter { entry in !entry.deleted && floor.map { entry.order >= $0 } ?? true }
        if multiset { rows = Self.replay(changes, from: floor) }
        var count = 0
        var sums = Array(repeating: Decimal(0), count: measures.count)
        var hash: Int128 = 0
        var productSums = Array(repeating: Decimal(0), count: products.count)
        for entry in rows {
            let keyText = entry.keyText
            count += 1
            for (index, value) in entry.values.enumerated() {
                if let value, let number = Decimal(string: value) { sums[index] += number }
            }
            hash += keyHashTerm(keyText)
            for (index, product) in entry.products.enumerated() { productSums[index] += product ?? 0 }
        }
        return Verifier.Figures(values: [String(count)] + zip(sums, scales).map { fixed($0, scale: $1) } + [String(describing: hash)],
                                products: zip(productSums, products).map { fixed($0, scale: $1.scale) })
    }

    /// A multiset's rows: inserts and deletes from the floor on, in source order; a delete removes
    /// one row with exactly its values.
    static func replay(_ changes: [Entry], from floor: SourceOrder?) -> [Entry] {
        var present: [[String?]: [Entry]] = [:]
        var seen = Set<SourceOrder>()
        for change in changes.sorted(by: { $0.order < $1.order }) where floor.map({ change.order >= $0 }) ?? true {
            guard seen.insert(change.order).inserted else { continue }   // a replay of a change already counted
            if change.deleted {
                if present[change.identity]?.isEmpty == false { present[change.identity]!.removeFirst() }
            } else {
                present[change.identity, default: []].append(change)
            }
        }
        return present.values.flatMap { $0 }
    }
}

/// An exact decimal with at least `scale` digits after the point.
func fixed(_ value: Decimal, scale: Int) -> String {
    var text = "\(value)"
    guard scale > 0 else { return text }
    if !text.contains(".") { text += "." }
    let decimals = text.count - 1 - text.distance(from: text.startIndex, to: text.firstIndex(of: ".")!)
    return text + String(repeating: "0", count: max(0, scale - decimals))
}
