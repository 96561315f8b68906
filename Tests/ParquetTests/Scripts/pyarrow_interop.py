"""pyarrow side of the Parquet interop tests.

  read FILE          print the file's schema and values as JSON (what pyarrow sees)
  write DIR          write sample files with pyarrow in every encoding/codec combination
                     and print the expected values as JSON
"""
import base64
import datetime
import decimal
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def text(value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def describe(path):
    table = pq.read_table(path)
    return {
        "rows": table.num_rows,
        "schema": {field.name: str(field.type) for field in table.schema},
        "nullable": {field.name: field.nullable for field in table.schema},
        "columns": {name: [text(v) for v in table.column(name).to_pylist()] for name in table.column_names},
    }


def sample_table():
    rows = 300
    def pick(values, i):
        value = values[i % len(values)]
        return None if i % 7 == 3 else value
    data = {
        "i8": pa.array([pick([-128, 0, 127, 5], i) for i in range(rows)], pa.int8()),
        "u16": pa.array([pick([0, 65535, 12], i) for i in range(rows)], pa.uint16()),
        "i32": pa.array([pick([-2147483648, 2147483647, i], i) for i in range(rows)], pa.int32()),
        "u32": pa.array([pick([0, 4294967295, i], i) for i in range(rows)], pa.uint32()),
        "i64": pa.array([pick([-9223372036854775808, 9223372036854775807, i], i) for i in range(rows)], pa.int64()),
        "u64": pa.array([pick([18446744073709551615, i], i) for i in range(rows)], pa.uint64()),
        "f32": pa.array([pick([1.5, -2.25, float(i)], i) for i in range(rows)], pa.float32()),
        "f64": pa.array([pick([0.1, -1e300, float(i) / 3], i) for i in range(rows)], pa.float64()),
        "dec9": pa.array([pick([decimal.Decimal("-12.50"), decimal.Decimal("1234567.89")], i) for i in range(rows)], pa.decimal128(9, 2)),
        "dec18": pa.array([pick([decimal.Decimal("-1234567890123.45678"), decimal.Decimal("0.00001")], i) for i in range(rows)], pa.decimal128(18, 5)),
        "dec30": pa.array([pick([decimal.Decimal("-123456789012345678901234.567890"), decimal.Decimal("1.000001")], i) for i in range(rows)], pa.decimal128(30, 6)),
        "day": pa.array([pick([datetime.date(2003, 1, 6), datetime.date(1969, 12, 31)], i) for i in range(rows)], pa.date32()),
        "ts_utc": pa.array([pick([datetime.datetime(2024, 2, 29, 13, 14, 15, 678000, tzinfo=datetime.timezone.utc)], i) for i in range(rows)], pa.timestamp("us", tz="UTC")),
        "ts_local": pa.array([pick([datetime.datetime(2003, 1, 6, 10, 20, 30, 123456)], i) for i in range(rows)], pa.timestamp("us")),
        "name": pa.array([pick(["Kléber", "日本", "", "x" * 40 + str(i)], i) for i in range(rows)], pa.string()),
        "blob": pa.array([pick([b"\x00\xff", b"", bytes([i % 256])], i) for i in range(rows)], pa.binary()),
        "flag": pa.array([pick([True, False], i) for i in range(rows)], pa.bool_()),
        "required_id": pa.array(list(range(rows)), pa.int64()),
    }
    schema = pa.schema([pa.field(k, v.type, nullable=(k != "required_id")) for k, v in data.items()])
    return pa.table(data, schema=schema)


def write(directory):
    table = sample_table()
    files = []
    for codec in ["NONE", "SNAPPY", "ZSTD"]:
        for dictionary in [False, True]:
            for version in ["1.0", "2.0"]:
                name = f"{directory}/pyarrow-{codec.lower()}-{'dict' if dictionary else 'plain'}-v{version[0]}.parquet"
                pq.write_table(table, name, compression=codec, use_dictionary=dictionary, data_page_version=version,
                               row_group_size=128)
                files.append(name)
    expected = {name: [text(v) for v in table.column(name).to_pylist()] for name in table.column_names}
    print(json.dumps({"files": files, "columns": expected}))


if __name__ == "__main__":
    if sys.argv[1] == "read":
        print(json.dumps(describe(sys.argv[2])))
    else:
        write(sys.argv[2])
