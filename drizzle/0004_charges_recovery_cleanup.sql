CREATE TYPE "public"."balance_transaction_type" AS ENUM('charge', 'refund');--> statement-breakpoint
CREATE TYPE "public"."charge_status" AS ENUM('pending', 'succeeded', 'failed');--> statement-breakpoint
ALTER TYPE "public"."attempt_status" ADD VALUE 'exhausted';--> statement-breakpoint
CREATE TABLE "balance_transactions" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"journal_reference" text NOT NULL,
	"type" "balance_transaction_type" NOT NULL,
	"reporting_category" text NOT NULL,
	"source_id" text NOT NULL,
	"payment_intent_id" text,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"net" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"fee_details" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"description" text,
	"available_on" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "balance_transactions_net" CHECK ("balance_transactions"."net" = "balance_transactions"."amount" - "balance_transactions"."fee"),
	CONSTRAINT "balance_transactions_fee_nonneg" CHECK ("balance_transactions"."fee" >= 0)
);
--> statement-breakpoint
CREATE TABLE "charges" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"payment_intent_id" text NOT NULL,
	"attempt_id" text NOT NULL,
	"status" charge_status NOT NULL,
	"amount" bigint NOT NULL,
	"amount_captured" bigint DEFAULT 0 NOT NULL,
	"amount_refunded" bigint DEFAULT 0 NOT NULL,
	"currency" char(3) NOT NULL,
	"captured" boolean DEFAULT false NOT NULL,
	"payment_method" text,
	"card_brand" text,
	"card_last4" text,
	"card_funding" text,
	"card_exp_month" integer,
	"card_exp_year" integer,
	"card_country" text,
	"failure_code" text,
	"failure_message" text,
	"decline_code" text,
	"balance_transaction_id" text,
	"description" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"receipt_email" text,
	"statement_descriptor" text,
	"statement_descriptor_suffix" text,
	"customer" text,
	"psp_charge_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "charges_amount_positive" CHECK ("charges"."amount" > 0),
	CONSTRAINT "charges_amounts_consistent" CHECK ("charges"."amount_captured" >= 0 and "charges"."amount_captured" <= "charges"."amount" and "charges"."amount_refunded" >= 0 and "charges"."amount_refunded" <= "charges"."amount_captured")
);
--> statement-breakpoint
DROP INDEX "payment_attempts_pending_idx";--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "recovery_tries" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now();--> statement-breakpoint
ALTER TABLE "payment_attempts" ADD COLUMN "last_psp_answer" jsonb;--> statement-breakpoint
ALTER TABLE "payment_intents" ADD COLUMN "latest_charge_id" text;--> statement-breakpoint
ALTER TABLE "payment_intents" ADD COLUMN "client_secret" text;--> statement-breakpoint
ALTER TABLE "payment_intents" ADD COLUMN "customer" text;--> statement-breakpoint
ALTER TABLE "payment_intents" ADD COLUMN "receipt_email" text;--> statement-breakpoint
ALTER TABLE "payment_intents" ADD COLUMN "statement_descriptor" text;--> statement-breakpoint
ALTER TABLE "payment_intents" ADD COLUMN "statement_descriptor_suffix" text;--> statement-breakpoint
ALTER TABLE "payment_intents" ADD COLUMN "shipping" jsonb;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "charge_id" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "request_idempotency_key" text;--> statement-breakpoint
ALTER TABLE "balance_transactions" ADD CONSTRAINT "balance_transactions_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "balance_transactions" ADD CONSTRAINT "balance_transactions_journal_fk" FOREIGN KEY ("merchant_id","journal_reference") REFERENCES "public"."ledger_journals"("merchant_id","reference") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_payment_intent_id_payment_intents_id_fk" FOREIGN KEY ("payment_intent_id") REFERENCES "public"."payment_intents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_attempt_id_payment_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."payment_attempts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "balance_transactions_journal_uq" ON "balance_transactions" USING btree ("merchant_id","journal_reference");--> statement-breakpoint
CREATE INDEX "balance_transactions_merchant_created_idx" ON "balance_transactions" USING btree ("merchant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "balance_transactions_source_idx" ON "balance_transactions" USING btree ("source_id");--> statement-breakpoint
CREATE UNIQUE INDEX "charges_attempt_uq" ON "charges" USING btree ("attempt_id");--> statement-breakpoint
CREATE INDEX "charges_merchant_created_idx" ON "charges" USING btree ("merchant_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "charges_intent_idx" ON "charges" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "payment_attempts_due_idx" ON "payment_attempts" USING btree ("next_attempt_at") WHERE "payment_attempts"."status" in ('pending','requires_action');--> statement-breakpoint
ALTER TABLE "payment_intents" DROP COLUMN "psp";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "published_at";