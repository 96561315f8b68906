"""Reads a table of the lake with pyarrow, as a data engineer would, and prints facts as JSON.

  lake_read.py STACK_ENV ROOT TABLE [parquet|jsonl]

Downloads every object under ROOT/TABLE/ (SigV4 through boto3), reads them
with pyarrow (hive partitioning gives the dt column) and prints the row count,
the column types, every row of a few columns as text, and for orderdetails the
exact sum of quantityOrdered × priceEach.
"""
import decimal
import gzip
import json
import os
import sys
import tempfile

import boto3
import pyarrow.dataset as ds
import pyarrow.json as pj


def main():
    env_path, root, table = sys.argv[1:4]
    fmt = sys.argv[4] if len(sys.argv) > 4 else "parquet"
    env = {}
    for line in open(env_path):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    env.update({k: v for k, v in os.environ.items() if k in ("S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "S3_BUCKET")})
    s3 = boto3.client("s3", endpoint_url=env["S3_ENDPOINT"], aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=env.get("AWS_REGION", "us-east-1"))
    bucket = env["S3_BUCKET"]
    local = tempfile.mkdtemp()
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{root}/{table}/"):
        for item in page.get("Contents", []):
            keys.append(item["Key"])
            path = os.path.join(local, item["Key"])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            s3.download_file(bucket, item["Key"], path)
    base = os.path.join(local, root, table)
    if fmt == "parquet":
        data = ds.dataset(base, format="parquet", partitioning="hive").to_table()
    else:
        import pyarrow as pa
        tables = []
        for directory, _, files in os.walk(base):
            # Like Spark and pyarrow datasets: folders and files starting with "_" (the schema sidecars) are not data.
            if "/_" in directory[len(base):]:
                continue
            for name in files:
                with gzip.open(os.path.join(directory, name), "rb") as handle:
                    lines = [json.loads(line, parse_float=decimal.Decimal) for line in handle if line.strip()]
                tables.extend(lines)
        rows = tables
        out = {"objects": len([k for k in keys if "/_" not in k[len(root):]]), "rows": len(rows)}
        if table == "orderdetails":
            out["sum"] = str(sum(decimal.Decimal(r["quantityOrdered"]) * decimal.Decimal(r["priceEach"]) for r in rows))
        print(json.dumps(out))
        return
    out = {
        "objects": len(keys),
        "rows": data.num_rows,
        "types": {field.name: str(field.type) for field in data.schema},
        "pairs": sorted([p, o] for p, o in zip(data.column("_kafka_partition").to_pylist(), data.column("_kafka_offset").to_pylist())) if table == "big" else [],
    }
    if table == "orderdetails":
        total = decimal.Decimal(0)
        for quantity, price in zip(data.column("quantityOrdered").to_pylist(), data.column("priceEach").to_pylist()):
            total += decimal.Decimal(quantity) * price
        out["sum"] = str(total)
    if table == "customers":
        rows = data.to_pylist()
        pick = {r["customerNumber"]: r for r in rows}
        out["customers"] = {str(k): {c: (None if v is None else str(v)) for c, v in pick[k].items()} for k in (146, 209) if k in pick}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
