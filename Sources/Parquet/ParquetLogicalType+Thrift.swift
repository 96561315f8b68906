extension ParquetLogicalType {
    /// The legacy `ConvertedType` older readers use, where one exists.
    var convertedType: Int32? {
        switch self {
        case .string: return 0
        case .json: return 19
        case .decimal: return 5
        case .date: return 6
        case .timestamp(let utc, let unit):
            guard utc else { return nil }
            switch unit { case .millis: return 9; case .micros: return 10; case .nanos: return nil }
        case .time(let utc, let unit):
            guard utc else { return nil }
            switch unit { case .millis: return 7; case .micros: return 8; case .nanos: return nil }
        case .integer(let bits, let signed):
            let base: Int32 = signed ? 15 : 11
            switch bits { case 8: return base; case 16: return base + 1; case 32: return base + 2; case 64: return base + 3; default: return nil }
        }
    }

    /// Writes the `LogicalType` union's fields.
    func write(to writer: inout ThriftCompactWriter) {
        func unit(_ unit: ParquetTimeUnit, _ writer: inout ThriftCompactWriter) {
            writer.structure(2) { writer in
                switch unit {
                case .millis: writer.structure(1) { _ in }
                case .micros: writer.structure(2) { _ in }
                case .nanos: writer.structure(3) { _ in }
                }
            }
        }
        switch self {
        case .string: writer.structure(1) { _ in }
        case .json: writer.structure(12) { _ in }
        case .decimal(let precision, let scale):
            writer.structure(5) { writer in
                writer.i32(1, Int32(scale))
                writer.i32(2, Int32(precision))
            }
        case .date: writer.structure(6) { _ in }
        case .time(let utc, let timeUnit):
            writer.structure(7) { writer in
                writer.bool(1, utc)
                unit(timeUnit, &writer)
            }
        case .timestamp(let utc, let timeUnit):
            writer.structure(8) { writer in
                writer.bool(1, utc)
                unit(timeUnit, &writer)
            }
        case .integer(let bits, let signed):
            writer.structure(10) { writer in
                writer.byte(1, Int8(bits))
                writer.bool(2, signed)
            }
        }
    }

    /// Reads the `LogicalType` union, or the legacy converted type when there is none.
    init?(logical: ThriftValue?, converted: Int64?, precision: Int64?, scale: Int64?) {
        func unit(_ value: ThriftValue?) -> ParquetTimeUnit {
            if value?[1] != nil { return .millis }
            if value?[3] != nil { return .nanos }
            return .micros
        }
        if let logical {
            if logical[1] != nil { self = .string; return }
            if logical[12] != nil { self = .json; return }
            if let decimal = logical[5] {
                self = .decimal(precision: Int(decimal[2]?.int ?? 0), scale: Int(decimal[1]?.int ?? 0)); return
            }
            if logical[6] != nil { self = .date; return }
            if let time = logical[7] { self = .time(adjustedToUTC: time[1]?.bool ?? false, unit: unit(time[2])); return }
            if let stamp = logical[8] { self = .timestamp(adjustedToUTC: stamp[1]?.bool ?? false, unit: unit(stamp[2])); return }
            if let integer = logical[10] {
                self = .integer(bitWidth: Int(integer[1]?.int ?? 32), signed: integer[2]?.bool ?? true); return
            }
        }
        switch converted {
        case 0?: self = .string
        case 19?: self = .json
        case 5?: self = .decimal(precision: Int(precision ?? 0), scale: Int(scale ?? 0))
        case 6?: self = .date
        case 9?: self = .timestamp(adjustedToUTC: true, unit: .millis)
        case 10?: self = .timestamp(adjustedToUTC: true, unit: .micros)
        case 7?: self = .time(adjustedToUTC: true, unit: .millis)
        case 8?: self = .time(adjustedToUTC: true, unit: .micros)
        case let value? where (11...18).contains(value):
            let signed = value >= 15
            self = .integer(bitWidth: [8, 16, 32, 64][Int(value - (signed ? 15 : 11))], signed: signed)
        default: return nil
        }
    }
}
