ALTER TYPE "public"."attempt_status" ADD VALUE 'exhausted';--> statement-breakpoint
DROP INDEX "payment_attempts_pending_idx";--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "recovery_tries" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now();--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "last_psp_answer" jsonb;--> statement-breakpoint
CREATE INDEX "payment_attempts_due_idx" ON "payment_attempts" USING btree ("next_attempt_at") WHERE "payment_attempts"."status" in ('pending','requires_action');