-- Messages are now born in their send batch (the fan-out sets send_batch_key) and stay 'queued' until
-- their outcome; the send job no longer claims rows. Bring rows written by the earlier code along:
-- a claimed ('sending') row keeps the key it was claimed under and is queued again, so its batch is
-- retried under the same idempotency key; an unclaimed row joins a batch of at most 100 of its
-- communication, keyed like the fan-out keys them (`send-<communication>-<first message id>`).
UPDATE "messages" SET "status" = 'queued' WHERE "status" = 'sending';--> statement-breakpoint
WITH "numbered" AS (
  SELECT "id", "communication_id",
    (row_number() OVER (PARTITION BY "communication_id" ORDER BY "id") - 1) / 100 AS "chunk"
  FROM "messages"
  WHERE "status" = 'queued' AND "send_batch_key" IS NULL
), "keyed" AS (
  SELECT "id", 'send-' || "communication_id" || '-' || min("id") OVER (PARTITION BY "communication_id", "chunk") AS "key"
  FROM "numbered"
)
UPDATE "messages" SET "send_batch_key" = "keyed"."key" FROM "keyed" WHERE "messages"."id" = "keyed"."id";
