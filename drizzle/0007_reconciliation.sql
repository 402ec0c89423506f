CREATE TABLE "reconciliation_repairs" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"kind" text NOT NULL,
	"psp_balance_transaction_id" text NOT NULL,
	"payment_intent_id" text,
	"journal_reference" text,
	"ours" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"theirs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"detail" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"period_from" date NOT NULL,
	"period_to" date NOT NULL,
	"merchant_id" text,
	"status" text DEFAULT 'running' NOT NULL,
	"lines" integer DEFAULT 0 NOT NULL,
	"matched" integer DEFAULT 0 NOT NULL,
	"repaired" integer DEFAULT 0 NOT NULL,
	"exceptions" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reconciliation_unattributed_lines" (
	"psp_balance_transaction_id" text PRIMARY KEY NOT NULL,
	"first_run_id" text NOT NULL,
	"type" text NOT NULL,
	"source" text NOT NULL,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"currency" text NOT NULL,
	"line" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "balance_transactions" ADD COLUMN "psp_balance_transaction_id" text;--> statement-breakpoint
ALTER TABLE "balance_transactions" ADD COLUMN "settled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reconciliation_repairs" ADD CONSTRAINT "reconciliation_repairs_run_id_reconciliation_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."reconciliation_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_repairs" ADD CONSTRAINT "reconciliation_repairs_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_runs" ADD CONSTRAINT "reconciliation_runs_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_unattributed_lines" ADD CONSTRAINT "reconciliation_unattributed_lines_first_run_id_reconciliation_runs_id_fk" FOREIGN KEY ("first_run_id") REFERENCES "public"."reconciliation_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliation_repairs_line_kind_uq" ON "reconciliation_repairs" USING btree ("psp_balance_transaction_id","kind");--> statement-breakpoint
CREATE INDEX "reconciliation_repairs_run_idx" ON "reconciliation_repairs" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "reconciliation_runs_period_idx" ON "reconciliation_runs" USING btree ("period_from","period_to","started_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliation_runs_running_uq" ON "reconciliation_runs" USING btree ("period_from","period_to",coalesce("merchant_id", '')) WHERE "reconciliation_runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "refunds_psp_refund_idx" ON "refunds" USING btree ("psp_refund_id") WHERE "refunds"."psp_refund_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "balance_transactions_psp_txn_uq" ON "balance_transactions" USING btree ("psp_balance_transaction_id");--> statement-breakpoint
CREATE INDEX "balance_transactions_unsettled_idx" ON "balance_transactions" USING btree ("created_at") WHERE "balance_transactions"."psp_balance_transaction_id" is null;--> statement-breakpoint
CREATE INDEX "charges_psp_charge_idx" ON "charges" USING btree ("psp_charge_id") WHERE "charges"."psp_charge_id" is not null;