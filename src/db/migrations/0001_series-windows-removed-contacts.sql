CREATE TABLE "incident_windows" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "series_key" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "series_id" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "series_position" integer;--> statement-breakpoint
ALTER TABLE "incident_windows" ADD CONSTRAINT "incident_windows_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "incident_windows_incident_idx" ON "incident_windows" USING btree ("incident_id","started_at");--> statement-breakpoint
CREATE INDEX "incidents_series_key_idx" ON "incidents" USING btree ("source","series_key","id");