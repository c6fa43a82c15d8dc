-- Redshift Spectrum: the lake's Glue database as an external schema. Every raw, curated and gold
-- table of the catalog (raw_grid, curated_grid, gold_daily_market_summary, ...) becomes
-- lake.<table>; Spectrum reads the partitions the catalog points at, so it sees exactly what Athena
-- sees: the version folder each curation run published, never a superseded or half-written one.
-- Replace the database name (gridstream_<env>) and the role (needs glue:Get* on the database and
-- s3:GetObject on the curated bucket, plus kms:Decrypt on the lake's data key).
CREATE EXTERNAL SCHEMA IF NOT EXISTS lake
FROM DATA CATALOG
DATABASE 'gridstream_dev'
IAM_ROLE 'arn:aws:iam::123456789012:role/gridstream-dev-redshift-spectrum';
