-- Sluice load for Amazon Redshift: 4 lake files, 2 tables.
-- Upload the manifests listed below first; each COPY reads one.

CREATE SCHEMA IF NOT EXISTS sluice;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE TABLE IF NOT EXISTS sluice.loaded_files (
    key varchar(1024) NOT NULL PRIMARY KEY, etag varchar(128) NOT NULL, size bigint NOT NULL,
    table_name varchar(256) NOT NULL, rows bigint NOT NULL, loaded_at timestamp NOT NULL DEFAULT SYSDATE);
CREATE TABLE IF NOT EXISTS sluice.pending_changes (
    table_name varchar(256) NOT NULL, key_text varchar(4096) NOT NULL, source_ms bigint,
    PRIMARY KEY (table_name, key_text));
CREATE TABLE IF NOT EXISTS sluice.staging_tables (
    table_name varchar(256) NOT NULL PRIMARY KEY, schema_version integer NOT NULL DEFAULT 0,
    floor_seq bigint, floor_pos bigint);

BEGIN;

-- 1. staging.orderdetails: 2 files, 1500 rows
-- manifest s3://shop-lake/raw/_manifests/20261125T000000Z/orderdetails.manifest:
--   {
--     "entries": [
--       {"url": "s3://shop-lake/raw/orderdetails/dt=2026-11-25/shop.orderdetails+0+00000000000000000000.parquet", "mandatory": true, "meta": {"content_length": 4796}},
--       {"url": "s3://shop-lake/raw/orderdetails/dt=2026-11-25/shop.orderdetails+1+00000000000000000000.parquet", "mandatory": true, "meta": {"content_length": 4896}}
--     ]
--   }
CREATE TABLE IF NOT EXISTS staging."orderdetails" (
    "order_number" integer,
    "product_code" varchar(65535),
    "quantity_ordered" integer,
    "price_each" numeric(10,2),
    "order_line_number" smallint,
    _src_file varchar(256) NOT NULL,
    _src_seq bigint NOT NULL,
    _src_pos bigint NOT NULL,
    _src_row bigint NOT NULL,
    _src_ms bigint,
    PRIMARY KEY ("order_number", "product_code")
)
DISTSTYLE AUTO
SORTKEY ("order_number", "product_code");
DROP TABLE IF EXISTS "incoming_orderdetails";
CREATE TEMP TABLE "incoming_orderdetails" (
    "order_number" integer,
    "product_code" varchar(65535),
    "quantity_ordered" integer,
    "price_each" numeric(10,2),
    "order_line_number" smallint,
    "_op" varchar(65535),
    "_source_ts_ms" bigint,
    "_source_pos" varchar(65535),
    "_source_row" bigint,
    "_source_gtid" varchar(65535),
    "_snapshot" boolean,
    "_schema_version" integer,
    "_kafka_partition" integer,
    "_kafka_offset" bigint,
    "_source_seq" bigint
);
COPY "incoming_orderdetails"
FROM 's3://shop-lake/raw/_manifests/20261125T000000Z/orderdetails.manifest'
IAM_ROLE 'arn:aws:iam::123456789012:role/sluice-copy'
FORMAT AS PARQUET
MANIFEST;
DROP TABLE IF EXISTS "latest_orderdetails";
CREATE TEMP TABLE "latest_orderdetails" AS
SELECT "order_number", "product_code", "quantity_ordered", "price_each", "order_line_number", _op, _src_file, _src_seq, _src_pos, _src_row, _src_ms FROM (
    SELECT "order_number", "product_code", "quantity_ordered", "price_each", "order_line_number", _op,
           SPLIT_PART(_source_pos, ':', 1) AS _src_file, _source_seq AS _src_seq,
           CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) AS _src_pos, _source_row AS _src_row,
           _source_ts_ms AS _src_ms,
           ROW_NUMBER() OVER (PARTITION BY "order_number", "product_code"
                              ORDER BY _source_seq DESC, CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) DESC,
                                       _source_row DESC) AS change_rank
    FROM "incoming_orderdetails" WHERE _op NOT IN ('t', 's')) AS ranked
WHERE change_rank = 1;
DELETE FROM "latest_orderdetails" USING sluice.staging_tables AS s
WHERE s.table_name = 'orderdetails' AND s.floor_seq IS NOT NULL
  AND ("latest_orderdetails"._src_seq < s.floor_seq OR ("latest_orderdetails"._src_seq = s.floor_seq AND "latest_orderdetails"._src_pos < s.floor_pos));
DELETE FROM "latest_orderdetails" USING staging."orderdetails" WHERE "orderdetails"."order_number" = "latest_orderdetails"."order_number" AND "orderdetails"."product_code" = "latest_orderdetails"."product_code"
    AND ("orderdetails"._src_seq > "latest_orderdetails"._src_seq OR ("orderdetails"._src_seq = "latest_orderdetails"._src_seq AND ("orderdetails"._src_pos > "latest_orderdetails"._src_pos OR ("orderdetails"._src_pos = "latest_orderdetails"._src_pos AND "orderdetails"._src_row >= "latest_orderdetails"._src_row))));
DELETE FROM staging."orderdetails" USING "latest_orderdetails" AS l WHERE "orderdetails"."order_number" = l."order_number" AND "orderdetails"."product_code" = l."product_code" AND l._op = 'd';
MERGE INTO staging."orderdetails" USING (SELECT * FROM "latest_orderdetails" WHERE _op <> 'd') AS l ON "orderdetails"."order_number" = l."order_number" AND "orderdetails"."product_code" = l."product_code"
WHEN MATCHED THEN UPDATE SET "quantity_ordered" = l."quantity_ordered", "price_each" = l."price_each", "order_line_number" = l."order_line_number", _src_file = l._src_file, _src_seq = l._src_seq, _src_pos = l._src_pos, _src_row = l._src_row, _src_ms = l._src_ms
WHEN NOT MATCHED THEN INSERT ("order_number", "product_code", "quantity_ordered", "price_each", "order_line_number", _src_file, _src_seq, _src_pos, _src_row, _src_ms) VALUES (l."order_number", l."product_code", l."quantity_ordered", l."price_each", l."order_line_number", l._src_file, l._src_seq, l._src_pos, l._src_row, l._src_ms);
INSERT INTO sluice.pending_changes (table_name, key_text, source_ms)
SELECT DISTINCT 'orderdetails', CAST(l."order_number" AS varchar) || '|' || CAST(l."product_code" AS varchar) AS key_text, l._src_ms
FROM "latest_orderdetails" AS l
WHERE NOT EXISTS (SELECT 1 FROM sluice.pending_changes AS p
                  WHERE p.table_name = 'orderdetails' AND p.key_text = CAST(l."order_number" AS varchar) || '|' || CAST(l."product_code" AS varchar));

-- 2. staging.payments: 1 file, 273 rows
-- manifest s3://shop-lake/raw/_manifests/20261125T000000Z/payments.manifest:
--   {
--     "entries": [
--       {"url": "s3://shop-lake/raw/payments/dt=2026-11-25/shop.payments+0+00000000000000000000.parquet", "mandatory": true, "meta": {"content_length": 4369}}
--     ]
--   }
CREATE TABLE IF NOT EXISTS staging."payments" (
    "customer_number" integer,
    "check_number" varchar(65535),
    "payment_date" date,
    "amount" numeric(10,2),
    _src_file varchar(256) NOT NULL,
    _src_seq bigint NOT NULL,
    _src_pos bigint NOT NULL,
    _src_row bigint NOT NULL,
    _src_ms bigint,
    PRIMARY KEY ("customer_number", "check_number")
)
DISTSTYLE AUTO
SORTKEY ("customer_number", "check_number");
DROP TABLE IF EXISTS "incoming_payments";
CREATE TEMP TABLE "incoming_payments" (
    "customer_number" integer,
    "check_number" varchar(65535),
    "payment_date" date,
    "amount" numeric(10,2),
    "_op" varchar(65535),
    "_source_ts_ms" bigint,
    "_source_pos" varchar(65535),
    "_source_row" bigint,
    "_source_gtid" varchar(65535),
    "_snapshot" boolean,
    "_schema_version" integer,
    "_kafka_partition" integer,
    "_kafka_offset" bigint,
    "_source_seq" bigint
);
COPY "incoming_payments"
FROM 's3://shop-lake/raw/_manifests/20261125T000000Z/payments.manifest'
IAM_ROLE 'arn:aws:iam::123456789012:role/sluice-copy'
FORMAT AS PARQUET
MANIFEST;
INSERT INTO sluice.staging_tables (table_name, floor_seq, floor_pos)
SELECT 'payments', 2, 1500
WHERE NOT EXISTS (SELECT 1 FROM sluice.staging_tables WHERE table_name = 'payments');
UPDATE sluice.staging_tables SET floor_seq = 2, floor_pos = 1500
WHERE table_name = 'payments' AND (floor_seq IS NULL OR (floor_seq < 2 OR (floor_seq = 2 AND floor_pos < 1500)));
INSERT INTO sluice.pending_changes (table_name, key_text)
SELECT DISTINCT 'payments', CAST("payments"."customer_number" AS varchar) || '|' || CAST("payments"."check_number" AS varchar) FROM staging."payments"
WHERE (_src_seq < 2 OR (_src_seq = 2 AND _src_pos < 1500)) AND NOT EXISTS (SELECT 1 FROM sluice.pending_changes AS p
                               WHERE p.table_name = 'payments' AND p.key_text = CAST("payments"."customer_number" AS varchar) || '|' || CAST("payments"."check_number" AS varchar));
DELETE FROM staging."payments" WHERE (_src_seq < 2 OR (_src_seq = 2 AND _src_pos < 1500));
DROP TABLE IF EXISTS "latest_payments";
CREATE TEMP TABLE "latest_payments" AS
SELECT "customer_number", "check_number", "payment_date", "amount", _op, _src_file, _src_seq, _src_pos, _src_row, _src_ms FROM (
    SELECT "customer_number", "check_number", "payment_date", "amount", _op,
           SPLIT_PART(_source_pos, ':', 1) AS _src_file, _source_seq AS _src_seq,
           CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) AS _src_pos, _source_row AS _src_row,
           _source_ts_ms AS _src_ms,
           ROW_NUMBER() OVER (PARTITION BY "customer_number", "check_number"
                              ORDER BY _source_seq DESC, CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) DESC,
                                       _source_row DESC) AS change_rank
    FROM "incoming_payments" WHERE _op NOT IN ('t', 's')) AS ranked
WHERE change_rank = 1;
DELETE FROM "latest_payments" USING sluice.staging_tables AS s
WHERE s.table_name = 'payments' AND s.floor_seq IS NOT NULL
  AND ("latest_payments"._src_seq < s.floor_seq OR ("latest_payments"._src_seq = s.floor_seq AND "latest_payments"._src_pos < s.floor_pos));
DELETE FROM "latest_payments" USING staging."payments" WHERE "payments"."customer_number" = "latest_payments"."customer_number" AND "payments"."check_number" = "latest_payments"."check_number"
    AND ("payments"._src_seq > "latest_payments"._src_seq OR ("payments"._src_seq = "latest_payments"._src_seq AND ("payments"._src_pos > "latest_payments"._src_pos OR ("payments"._src_pos = "latest_payments"._src_pos AND "payments"._src_row >= "latest_payments"._src_row))));
DELETE FROM staging."payments" USING "latest_payments" AS l WHERE "payments"."customer_number" = l."customer_number" AND "payments"."check_number" = l."check_number" AND l._op = 'd';
MERGE INTO staging."payments" USING (SELECT * FROM "latest_payments" WHERE _op <> 'd') AS l ON "payments"."customer_number" = l."customer_number" AND "payments"."check_number" = l."check_number"
WHEN MATCHED THEN UPDATE SET "payment_date" = l."payment_date", "amount" = l."amount", _src_file = l._src_file, _src_seq = l._src_seq, _src_pos = l._src_pos, _src_row = l._src_row, _src_ms = l._src_ms
WHEN NOT MATCHED THEN INSERT ("customer_number", "check_number", "payment_date", "amount", _src_file, _src_seq, _src_pos, _src_row, _src_ms) VALUES (l."customer_number", l."check_number", l."payment_date", l."amount", l._src_file, l._src_seq, l._src_pos, l._src_row, l._src_ms);
INSERT INTO sluice.pending_changes (table_name, key_text, source_ms)
SELECT DISTINCT 'payments', CAST(l."customer_number" AS varchar) || '|' || CAST(l."check_number" AS varchar) AS key_text, l._src_ms
FROM "latest_payments" AS l
WHERE NOT EXISTS (SELECT 1 FROM sluice.pending_changes AS p
                  WHERE p.table_name = 'payments' AND p.key_text = CAST(l."customer_number" AS varchar) || '|' || CAST(l."check_number" AS varchar));

-- 3. staging.payments: 1 file, 2 rows
-- manifest s3://shop-lake/raw/_manifests/20261125T000000Z/payments-2.manifest:
--   {
--     "entries": [
--       {"url": "s3://shop-lake/raw/payments/dt=2026-11-25/shop.payments+0+00000000000000000273.parquet", "mandatory": true, "meta": {"content_length": 4098}}
--     ]
--   }
CREATE TABLE IF NOT EXISTS staging."payments" (
    "customer_number" integer,
    "check_number" varchar(65535),
    "payment_date" date,
    "amount" numeric(10,2),
    "memo" varchar(65535),
    _src_file varchar(256) NOT NULL,
    _src_seq bigint NOT NULL,
    _src_pos bigint NOT NULL,
    _src_row bigint NOT NULL,
    _src_ms bigint,
    PRIMARY KEY ("customer_number", "check_number")
)
DISTSTYLE AUTO
SORTKEY ("customer_number", "check_number");
ALTER TABLE staging."payments" ADD COLUMN "memo" varchar(65535);
DROP TABLE IF EXISTS "incoming_payments-2";
CREATE TEMP TABLE "incoming_payments-2" (
    "customer_number" integer,
    "check_number" varchar(65535),
    "payment_date" date,
    "amount" numeric(10,2),
    "memo" varchar(65535),
    "_op" varchar(65535),
    "_source_ts_ms" bigint,
    "_source_pos" varchar(65535),
    "_source_row" bigint,
    "_source_gtid" varchar(65535),
    "_snapshot" boolean,
    "_schema_version" integer,
    "_kafka_partition" integer,
    "_kafka_offset" bigint,
    "_source_seq" bigint
);
COPY "incoming_payments-2"
FROM 's3://shop-lake/raw/_manifests/20261125T000000Z/payments-2.manifest'
IAM_ROLE 'arn:aws:iam::123456789012:role/sluice-copy'
FORMAT AS PARQUET
MANIFEST;
DROP TABLE IF EXISTS "latest_payments-2";
CREATE TEMP TABLE "latest_payments-2" AS
SELECT "customer_number", "check_number", "payment_date", "amount", "memo", _op, _src_file, _src_seq, _src_pos, _src_row, _src_ms FROM (
    SELECT "customer_number", "check_number", "payment_date", "amount", "memo", _op,
           SPLIT_PART(_source_pos, ':', 1) AS _src_file, _source_seq AS _src_seq,
           CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) AS _src_pos, _source_row AS _src_row,
           _source_ts_ms AS _src_ms,
           ROW_NUMBER() OVER (PARTITION BY "customer_number", "check_number"
                              ORDER BY _source_seq DESC, CAST(SPLIT_PART(_source_pos, ':', 2) AS bigint) DESC,
                                       _source_row DESC) AS change_rank
    FROM "incoming_payments-2" WHERE _op NOT IN ('t', 's')) AS ranked
WHERE change_rank = 1;
DELETE FROM "latest_payments-2" USING sluice.staging_tables AS s
WHERE s.table_name = 'payments' AND s.floor_seq IS NOT NULL
  AND ("latest_payments-2"._src_seq < s.floor_seq OR ("latest_payments-2"._src_seq = s.floor_seq AND "latest_payments-2"._src_pos < s.floor_pos));
DELETE FROM "latest_payments-2" USING staging."payments" WHERE "payments"."customer_number" = "latest_payments-2"."customer_number" AND "payments"."check_number" = "latest_payments-2"."check_number"
    AND ("payments"._src_seq > "latest_payments-2"._src_seq OR ("payments"._src_seq = "latest_payments-2"._src_seq AND ("payments"._src_pos > "latest_payments-2"._src_pos OR ("payments"._src_pos = "latest_payments-2"._src_pos AND "payments"._src_row >= "latest_payments-2"._src_row))));
DELETE FROM staging."payments" USING "latest_payments-2" AS l WHERE "payments"."customer_number" = l."customer_number" AND "payments"."check_number" = l."check_number" AND l._op = 'd';
MERGE INTO staging."payments" USING (SELECT * FROM "latest_payments-2" WHERE _op <> 'd') AS l ON "payments"."customer_number" = l."customer_number" AND "payments"."check_number" = l."check_number"
WHEN MATCHED THEN UPDATE SET "payment_date" = l."payment_date", "amount" = l."amount", "memo" = l."memo", _src_file = l._src_file, _src_seq = l._src_seq, _src_pos = l._src_pos, _src_row = l._src_row, _src_ms = l._src_ms
WHEN NOT MATCHED THEN INSERT ("customer_number", "check_number", "payment_date", "amount", "memo", _src_file, _src_seq, _src_pos, _src_row, _src_ms) VALUES (l."customer_number", l."check_number", l."payment_date", l."amount", l."memo", l._src_file, l._src_seq, l._src_pos, l._src_row, l._src_ms);
INSERT INTO sluice.pending_changes (table_name, key_text, source_ms)
SELECT DISTINCT 'payments', CAST(l."customer_number" AS varchar) || '|' || CAST(l."check_number" AS varchar) AS key_text, l._src_ms
FROM "latest_payments-2" AS l
WHERE NOT EXISTS (SELECT 1 FROM sluice.pending_changes AS p
                  WHERE p.table_name = 'payments' AND p.key_text = CAST(l."customer_number" AS varchar) || '|' || CAST(l."check_number" AS varchar));

-- Ledger: these files are applied, in the same transaction as their rows.
DELETE FROM sluice.loaded_files WHERE key IN (
    'raw/orderdetails/dt=2026-11-25/shop.orderdetails+0+00000000000000000000.parquet',
    'raw/orderdetails/dt=2026-11-25/shop.orderdetails+1+00000000000000000000.parquet',
    'raw/payments/dt=2026-11-25/shop.payments+0+00000000000000000000.parquet',
    'raw/payments/dt=2026-11-25/shop.payments+0+00000000000000000273.parquet');
INSERT INTO sluice.loaded_files (key, etag, size, table_name, rows) VALUES
    ('raw/orderdetails/dt=2026-11-25/shop.orderdetails+0+00000000000000000000.parquet', 'etag-orderdetails-0-0', 4796, 'orderdetails', 700),
    ('raw/orderdetails/dt=2026-11-25/shop.orderdetails+1+00000000000000000000.parquet', 'etag-orderdetails-1-0', 4896, 'orderdetails', 800),
    ('raw/payments/dt=2026-11-25/shop.payments+0+00000000000000000000.parquet', 'etag-payments-0-0', 4369, 'payments', 273),
    ('raw/payments/dt=2026-11-25/shop.payments+0+00000000000000000273.parquet', 'etag-payments-0-273', 4098, 'payments', 2);
COMMIT;

-- The star (mart): DDL, then one incremental update in one transaction.
CREATE SCHEMA IF NOT EXISTS mart;
CREATE TABLE IF NOT EXISTS mart.dim_office (
    office_key BIGINT IDENTITY(1, 1),
    office_code varchar(40) NOT NULL,
    city varchar(200),
    phone varchar(200),
    address_line1 varchar(200),
    address_line2 varchar(200),
    state varchar(200),
    country varchar(200),
    postal_code varchar(60),
    territory varchar(40),
    valid_from timestamp NOT NULL,
    valid_to timestamp NOT NULL,
    is_current boolean NOT NULL
)
DISTSTYLE ALL
SORTKEY (office_code, valid_from);
CREATE TABLE IF NOT EXISTS mart.dim_employee (
    employee_key BIGINT IDENTITY(1, 1),
    employee_number integer NOT NULL,
    last_name varchar(200),
    first_name varchar(200),
    extension varchar(40),
    email varchar(400),
    office_code varchar(40),
    reports_to integer,
    job_title varchar(200),
    valid_from timestamp NOT NULL,
    valid_to timestamp NOT NULL,
    is_current boolean NOT NULL
)
DISTSTYLE ALL
SORTKEY (employee_number, valid_from);
CREATE TABLE IF NOT EXISTS mart.dim_customer (
    customer_key BIGINT IDENTITY(1, 1),
    customer_number integer NOT NULL,
    customer_name varchar(200),
    contact_last_name varchar(200),
    contact_first_name varchar(200),
    phone varchar(200),
    address_line1 varchar(200),
    address_line2 varchar(200),
    city varchar(200),
    state varchar(200),
    postal_code varchar(60),
    country varchar(200),
    sales_rep_employee_number integer,
    credit_limit numeric(10,2),
    valid_from timestamp NOT NULL,
    valid_to timestamp NOT NULL,
    is_current boolean NOT NULL
)
DISTSTYLE ALL
SORTKEY (customer_number, valid_from);
CREATE TABLE IF NOT EXISTS mart.dim_product (
    product_key BIGINT IDENTITY(1, 1),
    product_code varchar(60) NOT NULL,
    product_name varchar(280),
    product_line varchar(200),
    product_line_description varchar(16000),
    product_scale varchar(40),
    product_vendor varchar(200),
    product_description VARCHAR(65535),
    buy_price numeric(10,2),
    msrp numeric(10,2),
    valid_from timestamp NOT NULL,
    valid_to timestamp NOT NULL,
    is_current boolean NOT NULL
)
DISTSTYLE ALL
SORTKEY (product_code, valid_from);
CREATE TABLE IF NOT EXISTS mart.dim_date (
    date_key integer NOT NULL PRIMARY KEY,
    "date" date NOT NULL,
    year smallint NOT NULL,
    quarter smallint NOT NULL,
    month smallint NOT NULL,
    month_name varchar(9) NOT NULL,
    day smallint NOT NULL,
    day_of_week smallint NOT NULL,
    day_name varchar(9) NOT NULL,
    iso_week smallint NOT NULL,
    is_weekend boolean NOT NULL
)
DISTSTYLE ALL
SORTKEY (date_key);
CREATE TABLE IF NOT EXISTS mart.fact_order_line (
    order_number integer NOT NULL,
    product_code varchar(60) NOT NULL,
    order_line_number smallint NOT NULL,
    customer_key bigint,
    product_key bigint,
    employee_key bigint,
    office_key bigint,
    order_date_key integer NOT NULL,
    required_date_key integer NOT NULL,
    shipped_date_key integer,
    status varchar(60) NOT NULL,
    quantity_ordered integer NOT NULL,
    price_each numeric(10,2) NOT NULL,
    line_amount numeric(21,2) NOT NULL,
    PRIMARY KEY (order_number, product_code)
)
DISTSTYLE KEY DISTKEY (order_number)
SORTKEY (order_date_key);
CREATE TABLE IF NOT EXISTS mart.fact_payment (
    customer_number integer NOT NULL,
    check_number varchar(200) NOT NULL,
    customer_key bigint,
    payment_date_key integer NOT NULL,
    amount numeric(10,2) NOT NULL,
    PRIMARY KEY (customer_number, check_number)
)
DISTSTYLE KEY DISTKEY (customer_number)
SORTKEY (payment_date_key);
BEGIN;
DROP TABLE IF EXISTS source_dim_office;
CREATE TEMP TABLE source_dim_office AS
SELECT office_code, city, phone, address_line1, address_line2, state, country, postal_code, territory, _src_ms
FROM staging.offices;
UPDATE mart.dim_office SET valid_to = closing.closed_at, is_current = false
FROM (
    SELECT d.office_key, GREATEST(d.valid_from, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), (TIMESTAMP 'epoch' + (p.source_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) AS closed_at
    FROM mart.dim_office AS d
    LEFT JOIN source_dim_office AS s ON s.office_code = d.office_code
    LEFT JOIN (SELECT key_text, max(source_ms) AS source_ms FROM sluice.pending_changes
               WHERE table_name IN ('offices') GROUP BY key_text) AS p ON p.key_text = CAST(d.office_code AS varchar)
    WHERE d.is_current AND NOT EXISTS (
        SELECT 1 FROM source_dim_office AS s
        WHERE s.office_code = d.office_code
          AND (s.city = d.city OR (s.city IS NULL AND d.city IS NULL))
      AND (s.phone = d.phone OR (s.phone IS NULL AND d.phone IS NULL))
      AND (s.address_line1 = d.address_line1 OR (s.address_line1 IS NULL AND d.address_line1 IS NULL))
      AND (s.address_line2 = d.address_line2 OR (s.address_line2 IS NULL AND d.address_line2 IS NULL))
      AND (s.state = d.state OR (s.state IS NULL AND d.state IS NULL))
      AND (s.country = d.country OR (s.country IS NULL AND d.country IS NULL))
      AND (s.postal_code = d.postal_code OR (s.postal_code IS NULL AND d.postal_code IS NULL))
      AND (s.territory = d.territory OR (s.territory IS NULL AND d.territory IS NULL)))
) AS closing
WHERE mart.dim_office.office_key = closing.office_key;
INSERT INTO mart.dim_office (office_code, city, phone, address_line1, address_line2, state, country, postal_code, territory, valid_from, valid_to, is_current)
SELECT s.office_code, s.city, s.phone, s.address_line1, s.address_line2, s.state, s.country, s.postal_code, s.territory,
       CASE WHEN h.office_code IS NULL THEN '1900-01-01 00:00:00'
            ELSE GREATEST(h.last_valid_to, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) END,
       '9999-12-31 00:00:00', true
FROM source_dim_office AS s
LEFT JOIN (SELECT office_code, max(valid_to) AS last_valid_to FROM mart.dim_office GROUP BY office_code) AS h ON h.office_code = s.office_code
WHERE NOT EXISTS (SELECT 1 FROM mart.dim_office AS d WHERE d.office_code = s.office_code AND d.is_current);
DROP TABLE IF EXISTS source_dim_employee;
CREATE TEMP TABLE source_dim_employee AS
SELECT employee_number, last_name, first_name, extension, email, office_code, reports_to, job_title, _src_ms
FROM staging.employees;
UPDATE mart.dim_employee SET valid_to = closing.closed_at, is_current = false
FROM (
    SELECT d.employee_key, GREATEST(d.valid_from, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), (TIMESTAMP 'epoch' + (p.source_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) AS closed_at
    FROM mart.dim_employee AS d
    LEFT JOIN source_dim_employee AS s ON s.employee_number = d.employee_number
    LEFT JOIN (SELECT key_text, max(source_ms) AS source_ms FROM sluice.pending_changes
               WHERE table_name IN ('employees') GROUP BY key_text) AS p ON p.key_text = CAST(d.employee_number AS varchar)
    WHERE d.is_current AND NOT EXISTS (
        SELECT 1 FROM source_dim_employee AS s
        WHERE s.employee_number = d.employee_number
          AND (s.last_name = d.last_name OR (s.last_name IS NULL AND d.last_name IS NULL))
      AND (s.first_name = d.first_name OR (s.first_name IS NULL AND d.first_name IS NULL))
      AND (s.extension = d.extension OR (s.extension IS NULL AND d.extension IS NULL))
      AND (s.email = d.email OR (s.email IS NULL AND d.email IS NULL))
      AND (s.office_code = d.office_code OR (s.office_code IS NULL AND d.office_code IS NULL))
      AND (s.reports_to = d.reports_to OR (s.reports_to IS NULL AND d.reports_to IS NULL))
      AND (s.job_title = d.job_title OR (s.job_title IS NULL AND d.job_title IS NULL)))
) AS closing
WHERE mart.dim_employee.employee_key = closing.employee_key;
INSERT INTO mart.dim_employee (employee_number, last_name, first_name, extension, email, office_code, reports_to, job_title, valid_from, valid_to, is_current)
SELECT s.employee_number, s.last_name, s.first_name, s.extension, s.email, s.office_code, s.reports_to, s.job_title,
       CASE WHEN h.employee_number IS NULL THEN '1900-01-01 00:00:00'
            ELSE GREATEST(h.last_valid_to, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) END,
       '9999-12-31 00:00:00', true
FROM source_dim_employee AS s
LEFT JOIN (SELECT employee_number, max(valid_to) AS last_valid_to FROM mart.dim_employee GROUP BY employee_number) AS h ON h.employee_number = s.employee_number
WHERE NOT EXISTS (SELECT 1 FROM mart.dim_employee AS d WHERE d.employee_number = s.employee_number AND d.is_current);
DROP TABLE IF EXISTS source_dim_customer;
CREATE TEMP TABLE source_dim_customer AS
SELECT customer_number, customer_name, contact_last_name, contact_first_name, phone, address_line1,
       address_line2, city, state, postal_code, country, sales_rep_employee_number, credit_limit, _src_ms
FROM staging.customers;
UPDATE mart.dim_customer SET valid_to = closing.closed_at, is_current = false
FROM (
    SELECT d.customer_key, GREATEST(d.valid_from, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), (TIMESTAMP 'epoch' + (p.source_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) AS closed_at
    FROM mart.dim_customer AS d
    LEFT JOIN source_dim_customer AS s ON s.customer_number = d.customer_number
    LEFT JOIN (SELECT key_text, max(source_ms) AS source_ms FROM sluice.pending_changes
               WHERE table_name IN ('customers') GROUP BY key_text) AS p ON p.key_text = CAST(d.customer_number AS varchar)
    WHERE d.is_current AND NOT EXISTS (
        SELECT 1 FROM source_dim_customer AS s
        WHERE s.customer_number = d.customer_number
          AND (s.customer_name = d.customer_name OR (s.customer_name IS NULL AND d.customer_name IS NULL))
      AND (s.contact_last_name = d.contact_last_name OR (s.contact_last_name IS NULL AND d.contact_last_name IS NULL))
      AND (s.contact_first_name = d.contact_first_name OR (s.contact_first_name IS NULL AND d.contact_first_name IS NULL))
      AND (s.phone = d.phone OR (s.phone IS NULL AND d.phone IS NULL))
      AND (s.address_line1 = d.address_line1 OR (s.address_line1 IS NULL AND d.address_line1 IS NULL))
      AND (s.address_line2 = d.address_line2 OR (s.address_line2 IS NULL AND d.address_line2 IS NULL))
      AND (s.city = d.city OR (s.city IS NULL AND d.city IS NULL))
      AND (s.state = d.state OR (s.state IS NULL AND d.state IS NULL))
      AND (s.postal_code = d.postal_code OR (s.postal_code IS NULL AND d.postal_code IS NULL))
      AND (s.country = d.country OR (s.country IS NULL AND d.country IS NULL))
      AND (s.sales_rep_employee_number = d.sales_rep_employee_number OR (s.sales_rep_employee_number IS NULL AND d.sales_rep_employee_number IS NULL))
      AND (s.credit_limit = d.credit_limit OR (s.credit_limit IS NULL AND d.credit_limit IS NULL)))
) AS closing
WHERE mart.dim_customer.customer_key = closing.customer_key;
INSERT INTO mart.dim_customer (customer_number, customer_name, contact_last_name, contact_first_name, phone, address_line1, address_line2, city, state, postal_code, country, sales_rep_employee_number, credit_limit, valid_from, valid_to, is_current)
SELECT s.customer_number, s.customer_name, s.contact_last_name, s.contact_first_name, s.phone, s.address_line1, s.address_line2, s.city, s.state, s.postal_code, s.country, s.sales_rep_employee_number, s.credit_limit,
       CASE WHEN h.customer_number IS NULL THEN '1900-01-01 00:00:00'
            ELSE GREATEST(h.last_valid_to, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) END,
       '9999-12-31 00:00:00', true
FROM source_dim_customer AS s
LEFT JOIN (SELECT customer_number, max(valid_to) AS last_valid_to FROM mart.dim_customer GROUP BY customer_number) AS h ON h.customer_number = s.customer_number
WHERE NOT EXISTS (SELECT 1 FROM mart.dim_customer AS d WHERE d.customer_number = s.customer_number AND d.is_current);
DROP TABLE IF EXISTS source_dim_product;
CREATE TEMP TABLE source_dim_product AS
SELECT p.product_code, p.product_name, p.product_line, l.text_description AS product_line_description,
       p.product_scale, p.product_vendor, p.product_description, p.buy_price, p.msrp,
       GREATEST(p._src_ms, l._src_ms) AS _src_ms
FROM staging.products AS p
LEFT JOIN staging.productlines AS l ON l.product_line = p.product_line;
UPDATE mart.dim_product SET valid_to = closing.closed_at, is_current = false
FROM (
    SELECT d.product_key, GREATEST(d.valid_from, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), (TIMESTAMP 'epoch' + (p.source_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) AS closed_at
    FROM mart.dim_product AS d
    LEFT JOIN source_dim_product AS s ON s.product_code = d.product_code
    LEFT JOIN (SELECT key_text, max(source_ms) AS source_ms FROM sluice.pending_changes
               WHERE table_name IN ('products', 'productlines') GROUP BY key_text) AS p ON p.key_text = CAST(d.product_code AS varchar)
    WHERE d.is_current AND NOT EXISTS (
        SELECT 1 FROM source_dim_product AS s
        WHERE s.product_code = d.product_code
          AND (s.product_name = d.product_name OR (s.product_name IS NULL AND d.product_name IS NULL))
      AND (s.product_line = d.product_line OR (s.product_line IS NULL AND d.product_line IS NULL))
      AND (s.product_line_description = d.product_line_description OR (s.product_line_description IS NULL AND d.product_line_description IS NULL))
      AND (s.product_scale = d.product_scale OR (s.product_scale IS NULL AND d.product_scale IS NULL))
      AND (s.product_vendor = d.product_vendor OR (s.product_vendor IS NULL AND d.product_vendor IS NULL))
      AND (s.product_description = d.product_description OR (s.product_description IS NULL AND d.product_description IS NULL))
      AND (s.buy_price = d.buy_price OR (s.buy_price IS NULL AND d.buy_price IS NULL))
      AND (s.msrp = d.msrp OR (s.msrp IS NULL AND d.msrp IS NULL)))
) AS closing
WHERE mart.dim_product.product_key = closing.product_key;
INSERT INTO mart.dim_product (product_code, product_name, product_line, product_line_description, product_scale, product_vendor, product_description, buy_price, msrp, valid_from, valid_to, is_current)
SELECT s.product_code, s.product_name, s.product_line, s.product_line_description, s.product_scale, s.product_vendor, s.product_description, s.buy_price, s.msrp,
       CASE WHEN h.product_code IS NULL THEN '1900-01-01 00:00:00'
            ELSE GREATEST(h.last_valid_to, COALESCE((TIMESTAMP 'epoch' + (s._src_ms / 1000.0) * INTERVAL '1 second'), SYSDATE)) END,
       '9999-12-31 00:00:00', true
FROM source_dim_product AS s
LEFT JOIN (SELECT product_code, max(valid_to) AS last_valid_to FROM mart.dim_product GROUP BY product_code) AS h ON h.product_code = s.product_code
WHERE NOT EXISTS (SELECT 1 FROM mart.dim_product AS d WHERE d.product_code = s.product_code AND d.is_current);
DROP TABLE IF EXISTS star_pending;
CREATE TEMP TABLE star_pending AS
SELECT table_name, key_text FROM sluice.pending_changes;
DROP TABLE IF EXISTS affected_orders;
CREATE TEMP TABLE affected_orders AS
SELECT DISTINCT order_number FROM (
    SELECT CAST(SPLIT_PART(key_text, '|', 1) AS integer) AS order_number
    FROM star_pending WHERE table_name IN ('orders', 'orderdetails')
    UNION ALL
    SELECT o.order_number FROM staging.orders AS o
    JOIN star_pending AS p ON p.table_name = 'customers' AND p.key_text = CAST(o.customer_number AS varchar)
    UNION ALL
    SELECT d.order_number FROM staging.orderdetails AS d
    JOIN star_pending AS p ON p.table_name = 'products' AND p.key_text = d.product_code
    UNION ALL
    SELECT d.order_number FROM staging.orderdetails AS d
    JOIN staging.products AS r ON r.product_code = d.product_code
    JOIN star_pending AS p ON p.table_name = 'productlines' AND p.key_text = r.product_line
    UNION ALL
    SELECT o.order_number FROM staging.orders AS o
    JOIN staging.customers AS c ON c.customer_number = o.customer_number
    JOIN star_pending AS p ON p.table_name = 'employees' AND p.key_text = CAST(c.sales_rep_employee_number AS varchar)
    UNION ALL
    SELECT o.order_number FROM staging.orders AS o
    JOIN staging.customers AS c ON c.customer_number = o.customer_number
    JOIN staging.employees AS e ON e.employee_number = c.sales_rep_employee_number
    JOIN star_pending AS p ON p.table_name = 'offices' AND p.key_text = e.office_code
) AS changed;
DROP TABLE IF EXISTS affected_payments;
CREATE TEMP TABLE affected_payments AS
SELECT DISTINCT customer_number, check_number FROM (
    SELECT CAST(SPLIT_PART(key_text, '|', 1) AS integer) AS customer_number,
           CAST(SPLIT_PART(key_text, '|', 2) AS varchar(50)) AS check_number
    FROM star_pending WHERE table_name = 'payments'
    UNION ALL
    SELECT y.customer_number, CAST(y.check_number AS varchar(50)) FROM staging.payments AS y
    JOIN star_pending AS p ON p.table_name = 'customers' AND p.key_text = CAST(y.customer_number AS varchar)
) AS changed;
INSERT INTO mart.dim_date (date_key, "date", year, quarter, month, month_name, day, day_of_week, day_name, iso_week, is_weekend)
SELECT CAST(TO_CHAR(d, 'YYYYMMDD') AS integer), d,
       CAST(EXTRACT(year FROM d) AS smallint), CAST(EXTRACT(quarter FROM d) AS smallint),
       CAST(EXTRACT(month FROM d) AS smallint), TRIM(TO_CHAR(d, 'Month')),
       CAST(EXTRACT(day FROM d) AS smallint),
       CAST(CASE WHEN EXTRACT(dow FROM d) = 0 THEN 7 ELSE EXTRACT(dow FROM d) END AS smallint), TRIM(TO_CHAR(d, 'Day')),
       CAST(EXTRACT(week FROM d) AS smallint), EXTRACT(dow FROM d) IN (0, 6)
FROM (
    SELECT DISTINCT d FROM (
        SELECT o.order_date AS d FROM staging.orders AS o JOIN affected_orders AS a ON a.order_number = o.order_number
        UNION ALL
        SELECT o.required_date FROM staging.orders AS o JOIN affected_orders AS a ON a.order_number = o.order_number
        UNION ALL
        SELECT o.shipped_date FROM staging.orders AS o JOIN affected_orders AS a ON a.order_number = o.order_number
        UNION ALL
        SELECT y.payment_date FROM staging.payments AS y
        JOIN affected_payments AS a ON a.customer_number = y.customer_number AND a.check_number = y.check_number
    ) AS used
    WHERE d IS NOT NULL
) AS dates
WHERE NOT EXISTS (SELECT 1 FROM mart.dim_date AS x WHERE x.date_key = CAST(TO_CHAR(dates.d, 'YYYYMMDD') AS integer));
DELETE FROM mart.fact_order_line USING affected_orders AS a WHERE fact_order_line.order_number = a.order_number;
INSERT INTO mart.fact_order_line (order_number, product_code, order_line_number, customer_key, product_key, employee_key, office_key, order_date_key, required_date_key, shipped_date_key, status, quantity_ordered, price_each, line_amount)
SELECT d.order_number, d.product_code, d.order_line_number, c.customer_key, p.product_key, e.employee_key, f.office_key,
       CAST(TO_CHAR(o.order_date, 'YYYYMMDD') AS integer), CAST(TO_CHAR(o.required_date, 'YYYYMMDD') AS integer), CAST(TO_CHAR(o.shipped_date, 'YYYYMMDD') AS integer), o.status,
       d.quantity_ordered, d.price_each, d.quantity_ordered * d.price_each
FROM staging.orderdetails AS d
JOIN affected_orders AS a ON a.order_number = d.order_number
JOIN staging.orders AS o ON o.order_number = d.order_number
LEFT JOIN mart.dim_customer AS c ON c.customer_number = o.customer_number AND o.order_date >= c.valid_from AND o.order_date < c.valid_to
LEFT JOIN mart.dim_product AS p ON p.product_code = d.product_code AND o.order_date >= p.valid_from AND o.order_date < p.valid_to
LEFT JOIN mart.dim_employee AS e ON e.employee_number = c.sales_rep_employee_number AND o.order_date >= e.valid_from AND o.order_date < e.valid_to
LEFT JOIN mart.dim_office AS f ON f.office_code = e.office_code AND o.order_date >= f.valid_from AND o.order_date < f.valid_to;
DELETE FROM mart.fact_payment USING affected_payments AS a WHERE fact_payment.customer_number = a.customer_number AND fact_payment.check_number = a.check_number;
INSERT INTO mart.fact_payment (customer_number, check_number, customer_key, payment_date_key, amount)
SELECT y.customer_number, y.check_number, c.customer_key, CAST(TO_CHAR(y.payment_date, 'YYYYMMDD') AS integer), y.amount
FROM staging.payments AS y
JOIN affected_payments AS a ON a.customer_number = y.customer_number AND a.check_number = y.check_number
LEFT JOIN mart.dim_customer AS c ON c.customer_number = y.customer_number
    AND y.payment_date >= c.valid_from AND y.payment_date < c.valid_to;
DELETE FROM sluice.pending_changes USING star_pending AS p
WHERE pending_changes.table_name = p.table_name AND pending_changes.key_text = p.key_text;
COMMIT;
