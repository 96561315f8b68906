import MySQL

/// Checks that row images described by a TABLE_MAP event can be read as a
/// schema version: the same number of columns, each logged with the type,
/// size, signedness and character set the version says, and (when the server
/// logs `binlog_row_metadata=FULL`) the same names in the same order and the
/// same primary key. A row is never paired with columns it was not written with.
/// ENUM/SET member names, logged in the column's character set, are decoded by `text`
/// (which throws `SourceTextDecoder.Undecodable` for a set it cannot decode).
extension TableSchema {
    /// Why rows described by `map` cannot be read as this version; `nil` when they can.
    func mismatch(with map: BinlogTableMap, collations: MySQLCollations, text: SourceTextDecoder) throws -> String? {
        guard map.columns.count == columns.count else {
            return "its row images have \(map.columns.count) columns, schema version \(version) has \(columns.count)"
        }
        for (index, pair) in zip(columns, map.columns).enumerated() {
            let (column, logged) = pair
            if let name = logged.name, name != column.name {
                return "column \(index + 1) is logged as \(name), schema version \(version) has \(column.name) there"
            }
            if let problem = try column.mismatch(with: logged, collations: collations, text: text) {
                return "column \(column.name) is logged as \(problem), schema version \(version) has \(column.sourceType.isEmpty ? column.type.name : column.sourceType)"
            }
        }
        if let logged = map.primaryKey, map.hasColumnNames {
            let names = logged.map { $0 < columns.count ? columns[$0].name : "#\($0)" }
            let expected = hasPrimaryKey ? key : []
            if names != expected {
                return "its primary key is logged as (\(names.joined(separator: ", "))), schema version \(version) has (\(expected.joined(separator: ", ")))"
            }
        }
        return nil
    }
}

extension ColumnSchema {
    /// What the logged column is, when that is not this column; `nil` when it matches.
    func mismatch(with logged: BinlogTableMap.Column, collations: MySQLCollations, text: SourceTextDecoder) throws -> String? {
        let type = logged.realType
        let described = "binlog type \(type) (metadata \(logged.meta))"
        if logged.nullable != nullable { return logged.nullable ? "nullable" : "NOT NULL" }
        switch self.type {
        case .integer(let bits, let signed):
            let codes: [Int: UInt8] = [8: 1, 16: 2, 24: 9, 32: 3, 64: 8]
            guard type == codes[bits] else { return described }
            if let unsigned = logged.unsigned, unsigned == signed { return unsigned ? "unsigned" : "signed" }
        case .decimal(let precision, let scale):
            guard type == 246, logged.meta == UInt16(precision << 8 | scale) else { return described }
        case .float:
            guard type == 4 else { return described }
        case .double:
            guard type == 5 else { return described }
        case .bit(let width):
            guard type == 16, Int(logged.meta >> 8) + Int(logged.meta & 0xFF) * 8 == width else { return described }
        case .date:
            guard type == 10 || type == 14 else { return described }
        case .datetime(let precision):
            guard (type == 18 && Int(logged.meta) == precision) || (type == 12 && precision == 0) else { return described }
        case .timestamp(let precision):
            guard (type == 17 && Int(logged.meta) == precision) || (type == 7 && precision == 0) else { return described }
        case .time(let precision):
            guard (type == 19 && Int(logged.meta) == precision) || (type == 11 && precision == 0) else { return described }
        case .year:
            guard type == 13 else { return described }
        case .string where binaryText != nil:
            guard type == 254, logged.fixedLength == binaryText!.width else { return described }
        case .binary where isGeometry:
            guard type == 255 else { return described }
        case .string(let maxLength):
            if let problem = textMismatch(logged, maxLength: maxLength, collations: collations) { return problem }
        case .binary(let maxLength):
            if let collation = logged.collation, collation != 63 { return "text (collation \(collation))" }
            if let problem = textMismatch(logged, maxLength: maxLength, collations: collations) { return problem }
        case .enumeration(let values), .set(let values):
            let isEnum: Bool = { if case .enumeration = self.type { return true } else { return false } }()
            guard type == (isEnum ? 247 : 248) else { return described }
            if let members = logged.members {
                let charset = logged.collation.flatMap { collations.characterSets[$0] } ?? characterSet
                let names = try members.map { try text.decode($0, characterSet: charset) }
                if names != values { return "\(isEnum ? "enum" : "set")(\(names.map { "'\($0)'" }.joined(separator: ",")))" }
            }
        case .json:
            guard type == 245 || type == 252 else { return described }
        }
        return nil
    }

    /// CHAR/VARCHAR/TEXT and BINARY/VARBINARY/BLOB: the same kind and size, and the same character set when logged.
    private func textMismatch(_ logged: BinlogTableMap.Column, maxLength: Int?, collations: MySQLCollations) -> String? {
        let type = logged.realType
        let described = "binlog type \(type) (metadata \(logged.meta))"
        let fixed = isFixedWidthText || fixedBinaryLength != nil
        var charset = characterSet
        if let collation = logged.collation, let logged = collations.characterSets[collation] {
            if case .string = self.type, Self.canonical(logged) != Self.canonical(characterSet ?? logged) { return "character set \(logged)" }
            charset = logged
        }
        let bytesPerCharacter: Int = {
            if case .binary = self.type { return 1 }
            return charset.flatMap { collations.maxBytes[$0] ?? collations.maxBytes[Self.canonical($0)] } ?? 1
        }()
        switch type {
        case 254:
            guard fixed else { return "CHAR/BINARY" }
            if let maxLength, logged.fixedLength != maxLength * bytesPerCharacter { return "\(logged.fixedLength) bytes wide" }
        case 15, 253:
            guard !fixed else { return "VARCHAR/VARBINARY" }
            if let maxLength, Int(logged.meta) != maxLength * bytesPerCharacter { return "\(logged.meta) bytes long" }
        case 252, 249, 250, 251:
            guard !fixed else { return "TEXT/BLOB" }
            // TINY/plain/MEDIUM/LONG: 1 to 4 length bytes, whose limits information_schema reports
            // (for text, in characters of the set's smallest size).
            let limits: [UInt16: Int] = [1: 255, 2: 65_535, 3: 16_777_215, 4: 4_294_967_295]
            let unitBytes: Int = {
                if case .string = self.type { return charset.flatMap(UnicodeCharacterSet.init)?.unitBytes ?? 1 }
                return 1
            }()
            if let maxLength, let limit = limits[logged.meta], limit / unitBytes != maxLength {
                return "a \(logged.meta)-byte-length TEXT/BLOB"
            }
        default:
            return described
        }
        return nil
    }

    /// `utf8` and `utf8mb3` are one character set under two names.
    static func canonical(_ name: String) -> String {
        name.lowercased() == "utf8" ? "utf8mb3" : name.lowercased()
    }
}
