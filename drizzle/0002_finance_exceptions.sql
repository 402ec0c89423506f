CREATE TYPE "public"."exception_kind" AS ENUM('amount_mismatch', 'currency_mismatch', 'status_mismatch', 'fee_mismatch', 'missing_on_our_side', 'missing_at_psp', 'duplicate', 'recovery_exhausted');--> statement-breakpoint
CREATE TYPE "public"."exception_source" AS ENUM('psp_result', 'recovery', 'reconciliation');--> statement-breakpoint
CREATE TYPE "public"."exception_status" AS ENUM('open', 'resolved', 'ignored');--> statement-breakpoint
CREATE TABLE "finance_exceptions" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"kind" "exception_kind" NOT NULL,
	"source" "exception_source" NOT NULL,
	"status" "exception_status" DEFAULT 'open' NOT NULL,
	"payment_intent_id" text,
	"refund_id" text,
	"attempt_id" text,
	"psp_reference" text,
	"ours" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"theirs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"detail" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"resolution_note" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "finance_exceptions" ADD CONSTRAINT "finance_exceptions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "finance_exceptions_dedupe_uq" ON "finance_exceptions" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "finance_exceptions_merchant_status_idx" ON "finance_exceptions" USING btree ("merchant_id","status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "finance_exceptions_intent_idx" ON "finance_exceptions" USING btree ("payment_intent_id") WHERE "finance_exceptions"."payment_intent_id" is not null;