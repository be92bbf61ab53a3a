-- A frozen batch's inputs (~25 KB of JSON for 100 recipients) are compressed on the way into TOAST.
-- pglz, the default, was ~4% of PostgreSQL's CPU during a large send; lz4 compresses several times
-- faster. Only new values use it. A server built without lz4 (PGlite is one) keeps pglz.
DO $$
BEGIN
  ALTER TABLE "send_batches" ALTER COLUMN "payload" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;
