import { sql } from "drizzle-orm";
import { bigint, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { merchants } from "./merchants";

export const RECONCILIATION_RUN_STATUSES = ["running", "succeeded", "failed"] as const;
export type ReconciliationRunStatus = (typeof RECONCILIATION_RUN_STATUSES)[number];

/**
 * One row per reconciliation run over a period [from, to) of PSP balance transactions, optionally
 * scoped to one merchant. A rerun of a period gets its own row; its effects (repairs, exceptions,
 * settled markers) are keyed by PSP line, so they are never repeated.
 */
export const reconciliationRuns = pgTable(
  "reconciliation_runs",
  {
    id: text("id").primaryKey(),
    periodFrom: date("period_from", { mode: "string" }).notNull(),
    periodTo: date("period_to", { mode: "string" }).notNull(),
    /** Null: all merchants. */
    merchantId: text("merchant_id").references(() => merchants.id),
    status: text("status", { enum: RECONCILIATION_RUN_STATUSES }).notNull().default("running"),
    /** PSP lines read. */
    lines: integer("lines").notNull().default(0),
    matched: integer("matched").notNull().default(0),
    repaired: integer("repaired").notNull().default(0),
    exceptions: integer("exceptions").notNull().default(0),
    /** Lines of kinds not reconciled yet (disputes) or still in flight at the PSP. */
    skipped: integer("skipped").notNull().default(0),
    error: text("error"),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("reconciliation_runs_period_idx").on(t.periodFrom, t.periodTo, t.startedAt.desc()),
    // One running run per period and scope: a second one waits for the next schedule.
    uniqueIndex("reconciliation_runs_running_uq")
      .on(t.periodFrom, t.periodTo, sql`coalesce(${t.merchantId}, '')`)
      .where(sql`${t.status} = 'running'`),
  ],
);

/**
 * The audit trail of repairs: what reconciliation changed on our side, why, and which journal (or
 * applied PSP result) did it. Unique per PSP line and kind, so a rerun never repairs twice.
 */
export const reconciliationRepairs = pgTable(
  "reconciliation_repairs",
  {
    id: text("id").primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => reconciliationRuns.id),
    merchantId: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    /** fee_adjustment: a journal moved the fee difference; missed_apply: a PSP result we never applied was applied. */
    kind: text("kind", { enum: ["fee_adjustment", "missed_apply"] }).notNull(),
    pspBalanceTransactionId: text("psp_balance_transaction_id").notNull(),
    paymentIntentId: text("payment_intent_id"),
    journalReference: text("journal_reference"),
    ours: jsonb("ours").$type<Record<string, unknown>>().notNull().default({}),
    theirs: jsonb("theirs").$type<Record<string, unknown>>().notNull().default({}),
    detail: text("detail").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("reconciliation_repairs_line_kind_uq").on(t.pspBalanceTransactionId, t.kind),
    index("reconciliation_repairs_run_idx").on(t.runId),
  ],
);

/**
 * PSP lines that name no Payrail merchant (a charge made outside Payrail, or metadata we cannot
 * read): finance exceptions need a merchant, so these are kept here, once per line.
 */
export const reconciliationUnattributedLines = pgTable("reconciliation_unattributed_lines", {
  pspBalanceTransactionId: text("psp_balance_transaction_id").primaryKey(),
  firstRunId: text("first_run_id")
    .notNull()
    .references(() => reconciliationRuns.id),
  type: text("type").notNull(),
  source: text("source").notNull(),
  amount: bigint("amount", { mode: "bigint" }).notNull(),
  fee: bigint("fee", { mode: "bigint" }).notNull(),
  currency: text("currency").notNull(),
  line: jsonb("line").$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
