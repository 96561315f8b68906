import MySQL

/// What a DDL statement did to a captured table, and how Sluice follows it
/// exactly.
///
/// - `follow`: the existing rows keep their values under the new definition
///   (columns dropped, columns added that read NULL in every existing row,
///   types widened); a new schema version starts at the DDL and the warehouse
///   alters its table in place.
/// - `resnapshot`: existing rows may have changed without a row event (a
///   column added with a default, a narrowing or a change of kind, a renamed
///   column, a new key…); a new version starts with a snapshot of the table,
///   taken while the other tables keep streaming, and everything older is
///   superseded.
public enum SchemaChange: Sendable, Equatable {
    case none
    case follow([String])
    case resnapshot(String)

    /// Compares the version in force with the table's new definition.
    /// `statement` is the DDL (its column clauses decide whether same-named columns kept their values).
    public static func between(_ old: TableSchema, _ new: TableSchema, definition: MySQLTableDefinition,
                               statement: DDLStatement.AlterClauses) -> SchemaChange {
        if !statement.renamedColumns.isEmpty {
            return .resnapshot("column \(statement.renamedColumns.joined(separator: ", ")) renamed")
        }
        if let readded = statement.droppedColumns.first(where: statement.addedColumns.contains) {
            return .resnapshot("column \(readded) dropped and added again")
        }
        if old.key != new.key || old.hasPrimaryKey != new.hasPrimaryKey {
            return .resnapshot("primary key changed from (\(old.key.joined(separator: ", "))) to (\(new.key.joined(separator: ", ")))")
        }
        var notes: [String] = []
        let oldByName = Dictionary(old.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.columns.map(\.name))
        for column in old.columns where !newNames.contains(column.name) {
            notes.append("column \(column.name) dropped")
        }
        for column in new.columns {
            guard let before = oldByName[column.name] else {
                let source = definition.columns.first { $0.name == column.name }
                guard source?.existingRowsReadNull == true else {
                    return .resnapshot("column \(column.name) added with a default, NOT NULL, generated or auto-increment value for existing rows")
                }
                notes.append("column \(column.name) added")
                continue
            }
            if before.type == column.type && before.characterSet == column.characterSet && before.nullable == column.nullable
                && before.isFixedWidthText == column.isFixedWidthText && before.fixedBinaryLength == column.fixedBinaryLength {
                continue
            }
            guard let widened = before.widened(to: column) else {
                return .resnapshot("column \(column.name) changed from \(before.sourceType) to \(column.sourceType)")
            }
            notes.append("column \(column.name) \(widened)")
        }
        if old.columns.map(\.name).filter(newNames.contains) != new.columns.map(\.name).filter({ oldByName[$0] != nil }) {
            notes.append("columns reordered")
        }
        return notes.isEmpty ? .none : .follow(notes)
    }
}

extension ColumnSchema {
    /// How this column became `new` while keeping every value exactly (e.g. `widened to bigint`);
    /// `nil` when MySQL may have changed values (a narrowing, another kind, CHAR ⇄ VARCHAR, FLOAT → DOUBLE…).
    func widened(to new: ColumnSchema) -> String? {
        if !nullable && new.nullable && type == new.type && characterSet == new.characterSet { return "made nullable" }
        guard nullable == new.nullable || new.nullable else { return nil }
        guard isFixedWidthText == new.isFixedWidthText, fixedBinaryLength == nil, new.fixedBinaryLength == nil else { return nil }
        switch (type, new.type) {
        case (.integer(let bits, let signed), .integer(let newBits, let newSigned)):
            guard (signed == newSigned && newBits >= bits) || (!signed && newSigned && newBits > bits) else { return nil }
        case (.decimal(let precision, let scale), .decimal(let newPrecision, let newScale)):
            guard newScale >= scale, newPrecision - newScale >= precision - scale else { return nil }
        case (.string(let length), .string(let newLength)):
            guard isFixedWidthText ? newLength == length : (newLength ?? .max) >= (length ?? .max) else { return nil }
            guard Self.widensCharacterSet(from: characterSet, to: new.characterSet) else { return nil }
        case (.binary(let length), .binary(let newLength)):
            guard (newLength ?? .max) >= (length ?? .max) else { return nil }
        case (.datetime(let precision), .datetime(let newPrecision)),
             (.timestamp(let precision), .timestamp(let newPrecision)),
             (.time(let precision), .time(let newPrecision)):
            guard newPrecision >= precision else { return nil }
        case (.enumeration(let values), .enumeration(let newValues)), (.set(let values), .set(let newValues)):
            // Members appended at the end keep every stored value's meaning.
            guard newValues.starts(with: values) else { return nil }
        case (.bit(let width), .bit(let newWidth)):
            guard newWidth >= width else { return nil }
        default:
            return type == new.type ? "changed" : nil
        }
        return "widened from \(sourceType) to \(new.sourceType)"
    }

    /// Character-set changes that keep every character: the same set, anything to utf8mb4,
    /// ASCII or latin1 to utf8mb3.
    static func widensCharacterSet(from old: String?, to new: String?) -> Bool {
        guard let old, let new else { return old == new }
        let from = canonical(old), to = canonical(new)
        return from == to || to == "utf8mb4" || (to == "utf8mb3" && ["ascii", "latin1"].contains(from)) || from == "ascii"
    }
}
