-- A message's outcome (status, provider id, times) becomes a HOT update: no index covers a column it
-- writes, and new pages of "messages" are left half free so the new row version fits beside the old.
-- Queued rows are found through their batch; provider ids move to a table of their own. The reply
-- token's index becomes a hash index (equality lookups only, cheaper to insert into).
CREATE TABLE "message_provider_ids" (
	"provider_id" text PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL
);
--> statement-breakpoint
INSERT INTO "message_provider_ids" ("provider_id", "message_id")
SELECT "provider_id", "id" FROM "messages" WHERE "provider_id" IS NOT NULL
ON CONFLICT DO NOTHING;--> statement-breakpoint
DROP INDEX "messages_reply_token_key";--> statement-breakpoint
DROP INDEX "messages_pending_idx";--> statement-breakpoint
DROP INDEX "messages_provider_id_idx";--> statement-breakpoint
CREATE INDEX "messages_reply_token_idx" ON "messages" USING hash ("reply_token_hash");--> statement-breakpoint
CREATE INDEX "messages_batch_idx" ON "messages" USING btree ("communication_id","send_batch_key");--> statement-breakpoint
ALTER TABLE "messages" SET (fillfactor = 50);
