import { sql } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { merchants } from "./merchants";
import { EXCEPTION_KINDS, EXCEPTION_SOURCES, EXCEPTION_STATUSES } from "./statuses";

export const exceptionKind = pgEnum("exception_kind", EXCEPTION_KINDS);
export const exceptionSource = pgEnum("exception_source", EXCEPTION_SOURCES);
export const exceptionStatus = pgEnum("exception_status", EXCEPTION_STATUSES);

/**
 * Disagreements between the PSP and our records that need a person (finance): both sides are
 * stored as they were seen. Written by the apply step, the recovery sweep and reconciliation.
 */
export const financeExceptions = pgTable(
  "finance_exceptions",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    kind: exceptionKind("kind").notNull(),
    source: exceptionSource("source").notNull(),
    status: exceptionStatus("status").notNull().default("open"),
    paymentIntentId: text("payment_intent_id"),
    refundId: text("refund_id"),
    attemptId: text("attempt_id"),
    pspReference: text("psp_reference"),
    /** What we recorded, and what the PSP reported (amounts as strings of minor units). */
    ours: jsonb("ours").$type<Record<string, unknown>>().notNull().default({}),
    theirs: jsonb("theirs").$type<Record<string, unknown>>().notNull().default({}),
    detail: text("detail").notNull(),
    /** Makes recording the same disagreement twice (a retried apply, a rerun) a no-op. */
    dedupeKey: text("dedupe_key").notNull(),
    resolutionNote: text("resolution_note"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("finance_exceptions_dedupe_uq").on(t.dedupeKey),
    index("finance_exceptions_merchant_status_idx").on(t.merchantId, t.status, t.createdAt.desc()),
    index("finance_exceptions_intent_idx").on(t.paymentIntentId).where(sql`${t.paymentIntentId} is not null`),
  ],
);
