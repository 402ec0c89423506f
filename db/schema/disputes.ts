import { sql } from "drizzle-orm";
import { boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { currency, minor, timestamps } from "./columns";
import { charges } from "./charges";
import { merchants } from "./merchants";
import { paymentIntents } from "./payments";
import { DISPUTE_STATUSES } from "./statuses";

export const disputeStatus = pgEnum("dispute_status", DISPUTE_STATUSES);

/**
 * Stripe's Dispute: a chargeback the PSP reported on one of our charges. The id is derived from the
 * PSP's dispute id, and (merchant, psp dispute id) is unique, so every webhook and retrieval of the
 * same dispute converges on one row. Money moves only through ledger journals referenced by it.
 */
export const disputes = pgTable(
  "disputes",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    paymentIntentId: text("payment_intent_id").notNull().references(() => paymentIntents.id),
    chargeId: text("charge_id").references(() => charges.id),
    pspDisputeId: text("psp_dispute_id").notNull(),
    amount: minor("amount").notNull(),
    currency: currency().notNull(),
    reason: text("reason").notNull(),
    status: disputeStatus("status").notNull(),
    /** Stripe's evidence fields as last reported by the PSP (text values; file fields hold file ids). */
    evidence: jsonb("evidence").$type<Record<string, string>>().notNull().default({}),
    evidenceDueBy: timestamp("evidence_due_by", { withTimezone: true, mode: "date" }),
    hasEvidence: boolean("has_evidence").notNull().default(false),
    pastDue: boolean("past_due").notNull().default(false),
    submissionCount: integer("submission_count").notNull().default(0),
    isChargeRefundable: boolean("is_charge_refundable").notNull().default(false),
    networkReasonCode: text("network_reason_code"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    /** When the PSP withdrew the disputed amount and fee, and when it gave them back (won). */
    fundsWithdrawnAt: timestamp("funds_withdrawn_at", { withTimezone: true, mode: "date" }),
    fundsReinstatedAt: timestamp("funds_reinstated_at", { withTimezone: true, mode: "date" }),
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "date" }),
    /** The PSP's creation time (Stripe's `created`). */
    pspCreatedAt: timestamp("psp_created_at", { withTimezone: true, mode: "date" }).notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("disputes_psp_uq").on(t.merchantId, t.pspDisputeId),
    index("disputes_merchant_created_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    index("disputes_intent_idx").on(t.paymentIntentId),
    index("disputes_charge_idx").on(t.chargeId),
    check("disputes_amount_positive", sql`${t.amount} > 0`),
  ],
);
