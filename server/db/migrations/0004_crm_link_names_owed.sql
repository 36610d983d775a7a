ALTER TABLE "crm_links" ADD COLUMN "names_owed" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
UPDATE "crm_links" SET "names_owed" = '{firstname,lastname}' WHERE "names_pending";--> statement-breakpoint
ALTER TABLE "crm_links" DROP COLUMN "names_pending";
