DROP INDEX "messages_comm_status_idx";--> statement-breakpoint
DROP INDEX "messages_status_updated_idx";--> statement-breakpoint
DROP INDEX "messages_provider_id_idx";--> statement-breakpoint
CREATE INDEX "messages_pending_idx" ON "messages" USING btree ("communication_id","status","send_batch_key") WHERE "messages"."status" in ('queued', 'sending');--> statement-breakpoint
CREATE INDEX "messages_provider_id_idx" ON "messages" USING btree ("provider_id") WHERE "messages"."provider_id" is not null;