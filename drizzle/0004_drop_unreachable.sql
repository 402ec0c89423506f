ALTER TABLE "payment_intents" ALTER COLUMN "status" SET DATA TYPE text;--> statement-breakpoint
DROP TYPE "public"."payment_status";--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('created', 'requires_payment_method', 'requires_confirmation', 'requires_action', 'authorizing', 'authorized', 'capturing', 'captured', 'partially_refunded', 'refunded', 'cancelling', 'cancelled', 'disputed');--> statement-breakpoint
ALTER TABLE "payment_intents" ALTER COLUMN "status" SET DATA TYPE "public"."payment_status" USING "status"::"public"."payment_status";--> statement-breakpoint
ALTER TABLE "payment_intents" DROP COLUMN "psp";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "published_at";