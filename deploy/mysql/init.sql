-- The account Sluice reads MySQL with, cut down to what it needs.
--
-- The mysql image runs this once, on the first start with an empty data
-- directory, as root, after it has created the database MYSQL_DATABASE and the
-- account MYSQL_USER ('sluice', password from the mysql_sluice_password
-- secret) with every privilege on that database. The database is the default
-- one here, so `ON *` and unqualified table names mean MYSQL_DATABASE.
--
-- Against your own server, run the same statements as an administrator in the
-- source database, after CREATE USER 'sluice'@'%' IDENTIFIED BY '…'.

-- Nothing beyond what follows (the image granted ALL on the database).
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'sluice'@'%';

-- Read the binlog as a replica, and its files and positions (SHOW BINARY LOGS,
-- SHOW BINARY LOG STATUS).
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'sluice'@'%';

-- Snapshots, table definitions and row counts of the source database.
GRANT SELECT ON * TO 'sluice'@'%';

-- Watermark snapshots (what --snapshot-mode auto picks on MySQL): low and high
-- marks around each chunk. Created here so the account needs no CREATE
-- privilege; the definition is the one Sluice would create itself.
CREATE TABLE IF NOT EXISTS sluice_watermarks
  (snapshot_table VARCHAR(64) NOT NULL PRIMARY KEY, kind VARCHAR(4) NOT NULL, mark CHAR(36) NOT NULL);
GRANT INSERT, UPDATE ON sluice_watermarks TO 'sluice'@'%';

-- Not granted: RELOAD. Only --snapshot-mode transaction needs it on MySQL, for
-- a brief FLUSH TABLES WITH READ LOCK per snapshot chunk; grant it to use that mode:
--   GRANT RELOAD ON *.* TO 'sluice'@'%';
