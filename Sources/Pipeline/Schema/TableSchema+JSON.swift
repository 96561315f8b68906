import MySQL

/// The JSON form of a table schema, as published to `<prefix>._schemas`
/// (key: the table name; value: this document).
extension TableSchema {
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("database", .string(database)),
            ("table", .string(table)),
            ("version", .number(String(version))),
            ("key", .array(key.map { .string($0) })),
            ("has_primary_key", .bool(hasPrimaryKey)),
            ("columns", .array(columns.map(\.json))),
        ]
        if let since { members.append(("since", .string(since.description))) }
        if let floor { members.append(("floor", .string(floor.description))) }
        if dropped { members.append(("dropped", .bool(true))) }
        if epoch != 0 { members.append(("epoch", .number(String(epoch)))) }
        return .object(members)
    }

    /// Reads the published form back; throws on a document that is not a schema.
    public init(json: JSONValue) throws {
        guard let database = json["database"]?.stringValue, let table = json["table"]?.stringValue,
              let version = json["version"]?.intValue, let key = json["key"]?.arrayValue,
              let columns = json["columns"]?.arrayValue else {
            throw JSONParseError(offset: 0, reason: "not a Sluice table schema")
        }
        self.init(database: database, table: table, columns: try columns.map(ColumnSchema.init(json:)),
                  key: key.compactMap(\.stringValue), hasPrimaryKey: json["has_primary_key"] == .bool(true),
                  version: Int(version), since: json["since"]?.stringValue.flatMap(BinlogPosition.init(text:)),
                  floor: json["floor"]?.stringValue.flatMap(BinlogPosition.init(text:)), dropped: json["dropped"] == .bool(true),
                  epoch: Int(json["epoch"]?.intValue ?? 0))
    }
}

extension ColumnSchema {
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name)), ("type", .string(type.kind))]
        switch type {
        case .integer(let bits, let signed): members += [("bits", .number(String(bits))), ("signed", .bool(signed))]
        case .decimal(let precision, let scale): members += [("precision", .number(String(precision))), ("scale", .number(String(scale)))]
        case .bit(let width): members.append(("width", .number(String(width))))
        case .datetime(let precision), .timestamp(let precision), .time(let precision):
            members.append(("precision", .number(String(precision))))
        case .string(let length), .binary(let length):
            if let length { members.append(("max_length", .number(String(length)))) }
        case .enumeration(let values), .set(let values): members.append(("values", .array(values.map { .string($0) })))
        case .float, .double, .date, .year, .json: break
        }
        members += [("source_type", .string(sourceType)), ("nullable", .bool(nullable))]
        if let characterSet { members.append(("charset", .string(characterSet))) }
        return .object(members)
    }

    init(json: JSONValue) throws {
        guard let name = json["name"]?.stringValue, let kind = json["type"]?.stringValue else {
            throw JSONParseError(offset: 0, reason: "a schema column has no name or type")
        }
        func int(_ key: String) -> Int { Int(json[key]?.intValue ?? 0) }
        let type: ColumnType
        switch kind {
        case "integer": type = .integer(bits: int("bits"), signed: json["signed"] == .bool(true))
        case "decimal": type = .decimal(precision: int("precision"), scale: int("scale"))
        case "float": type = .float
        case "double": type = .double
        case "bit": type = .bit(width: int("width"))
        case "date": type = .date
        case "datetime": type = .datetime(precision: int("precision"))
        case "timestamp": type = .timestamp(precision: int("precision"))
        case "time": type = .time(precision: int("precision"))
        case "year": type = .year
        case "string": type = .string(maxLength: json["max_length"]?.intValue.map { Int($0) })
        case "binary": type = .binary(maxLength: json["max_length"]?.intValue.map { Int($0) })
        case "enum": type = .enumeration(values: json["values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        case "set": type = .set(values: json["values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        case "json": type = .json
        default: throw JSONParseError(offset: 0, reason: "unknown column type \(kind)")
        }
        self.init(name: name, type: type, sourceType: json["source_type"]?.stringValue ?? "",
                  characterSet: json["charset"]?.stringValue, nullable: json["nullable"] == .bool(true))
    }
}

extension ColumnType {
    /// The `type` field of the published schema.
    var kind: String {
        switch self {
        case .integer: return "integer"
        case .decimal: return "decimal"
        case .float: return "float"
        case .double: return "double"
        case .bit: return "bit"
        case .date: return "date"
        case .datetime: return "datetime"
        case .timestamp: return "timestamp"
        case .time: return "time"
        case .year: return "year"
        case .string: return "string"
        case .enumeration: return "enum"
        case .set: return "set"
        case .binary: return "binary"
        case .json: return "json"
        }
    }
}
