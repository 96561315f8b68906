#!/usr/bin/env python3
"""Checks vectors.tsv against an independent binary-JSON reader.

Each line of vectors.tsv is `name<TAB>hex<TAB>expected text`. This script parses
every hex document with python-mysql-replication's reader
(`pip install mysql-replication`; `pymysqlreplication.json_binary.parse_json`,
the code its binlog stream uses for MySQL JSON columns), prints the Python value
it returns the way MySQL prints JSON (`Json_wrapper::to_string`: `", "`, `": "`,
double_quote escaping, my_gcvt doubles, 6-digit fractions in dates and times),
and compares with the expected text. It exits 1 on any difference.

python-mysql-replication does its own decoding of the structure, integers,
doubles, strings, DECIMALs and packed DATE/TIME/DATETIME values; it leaves
TIMESTAMP and other opaque types as raw bytes, so for those this script reads
the packed value with the library's own `decode_datetime` or base64-encodes the
raw bytes. Run: python3 Tests/MySQLTests/Fixtures/binary_json/check_vectors.py
"""
import base64
import datetime
import decimal
import pathlib
import sys

from pymysqlreplication import json_binary
from pymysqlreplication.util import bytes as binlog_bytes


class Opaque:
    """An opaque value: its MySQL field type, raw bytes, and the library's reading of them."""

    def __init__(self, field_type, raw, decoded):
        self.field_type, self.raw, self.decoded = field_type, raw, decoded


library_parse_opaque = json_binary.parse_opaque


def tagged_parse_opaque(data):
    # Keep the library's decoding but remember the field type (DATE and DATETIME
    # both come back as datetime.datetime) and the raw bytes.
    length, n = binlog_bytes.decode_variable_length(data[1:])
    return Opaque(data[0], bytes(data[1 + n : 1 + n + length]), library_parse_opaque(data))


json_binary.parse_opaque = tagged_parse_opaque


def quote(raw):
    out = ['"']
    for ch in raw.decode("utf-8"):
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif code < 0x20:
            out.append("\\u%04x" % code)
        else:
            out.append(ch)
    return "".join(out) + '"'


def mysql_double(value):
    # repr() gives the shortest round-trip digits (CPython uses David Gay's dtoa,
    # as MySQL does); lay them out the way my_gcvt does at MY_GCVT_MAX_FIELD_WIDTH.
    sign = "-" if str(value).startswith("-") else ""
    digits, exponent = decimal.Decimal(repr(abs(value))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits)).lstrip("0") or "0"
    point = len(digits) + exponent if digits != "0" else 1
    if -14 <= point and (point <= 15 or len(digits) > point):
        if point <= 0:
            text = "0." + "0" * -point + digits
        elif point < len(digits):
            text = digits[:point] + "." + digits[point:]
        else:
            text = digits + "0" * (point - len(digits))
    else:
        text = digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + str(point - 1)
    text = sign + text
    return text if ("." in text or "e" in text) else text + ".0"


def mysql_base64(raw):
    text = base64.b64encode(raw).decode()
    return "\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def render(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return mysql_double(value)
    if isinstance(value, bytes):
        return quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(quote(k) + ": " + render(v) for k, v in value.items()) + "}"
    if isinstance(value, Opaque):
        kind, decoded = value.field_type, value.decoded
        if kind == 246:
            return str(decoded)
        if kind == 10:
            return quote(decoded.strftime("%Y-%m-%d").encode())
        if kind in (12, 7):
            moment = decoded if kind == 12 else binlog_bytes.decode_datetime(value.raw)
            return quote(moment.strftime("%Y-%m-%d %H:%M:%S.%f").encode())
        if kind == 11:
            sign = "-" if binlog_bytes.parse_int64(value.raw) < 0 else ""
            return quote((sign + decoded.strftime("%H:%M:%S.%f")).encode())
        if kind == 253:
            return quote(value.raw)
        return quote(("base64:type%d:" % kind + mysql_base64(value.raw)).encode())
    raise TypeError("unexpected value %r" % (value,))


def main():
    path = pathlib.Path(__file__).with_name("vectors.tsv")
    failures = 0
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, hexdigits, expected = line.split("\t")
        data = bytes.fromhex(hexdigits)
        # An empty value is JSON null, as read_binary_json treats a zero length.
        got = "null" if not data else render(json_binary.parse_json(data[0], data[1:]))
        count += 1
        if got != expected:
            failures += 1
            print("MISMATCH %s\n  expected %s\n  library  %s" % (name, expected, got))
        else:
            print("ok %s" % name)
    print("%d vectors, %d mismatches" % (count, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
