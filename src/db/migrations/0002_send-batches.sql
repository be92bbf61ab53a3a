CREATE TABLE "send_batches" (
	"key" text PRIMARY KEY NOT NULL,
	"communication_id" text NOT NULL,
	"message_ids" text[] NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"first_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "send_batches" ADD CONSTRAINT "send_batches_communication_id_communications_id_fk" FOREIGN KEY ("communication_id") REFERENCES "public"."communications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "send_batches_open_idx" ON "send_batches" USING btree ("completed_at","first_attempt_at");