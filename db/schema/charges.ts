import { sql } from "drizzle-orm";
import { boolean, check, foreignKey, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { currency, minor, timestamps } from "./columns";
import { ledgerJournals } from "./ledger";
import { merchants } from "./merchants";
import { paymentAttempts, paymentIntents } from "./payments";
import { BALANCE_TRANSACTION_TYPES, CHARGE_STATUSES } from "./statuses";

export const chargeStatus = pgEnum("charge_status", CHARGE_STATUSES);
export const balanceTransactionType = pgEnum("balance_transaction_type", BALANCE_TRANSACTION_TYPES);

/**
 * Stripe's Charge: one per authorization attempt that reached the card network (succeeded or
 * declined), written in the transaction that applies the attempt's result. The id is derived from
 * the attempt, so applying the same result twice names the same charge.
 */
export const charges = pgTable(
  "charges",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    paymentIntentId: text("payment_intent_id").notNull().references(() => paymentIntents.id),
    attemptId: text("attempt_id").notNull().references(() => paymentAttempts.id),
    status: chargeStatus("status").notNull(),
    amount: minor("amount").notNull(),
    amountCaptured: minor("amount_captured").notNull().default(sql`0`),
    amountRefunded: minor("amount_refunded").notNull().default(sql`0`),
    currency: currency().notNull(),
    captured: boolean("captured").notNull().default(false),
    paymentMethod: text("payment_method"),
    /** Card details as the PSP reported them (never the number). */
    cardBrand: text("card_brand"),
    cardLast4: text("card_last4"),
    cardFunding: text("card_funding"),
    cardExpMonth: integer("card_exp_month"),
    cardExpYear: integer("card_exp_year"),
    cardCountry: text("card_country"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    declineCode: text("decline_code"),
    /** The capture's balance transaction. */
    balanceTransactionId: text("balance_transaction_id"),
    description: text("description"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    receiptEmail: text("receipt_email"),
    statementDescriptor: text("statement_descriptor"),
    statementDescriptorSuffix: text("statement_descriptor_suffix"),
    customer: text("customer"),
    pspChargeId: text("psp_charge_id"),
    /** Set when a dispute opens on the charge (Stripe's charge.disputed). */
    disputed: boolean("disputed").notNull().default(false),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("charges_attempt_uq").on(t.attemptId),
    index("charges_merchant_created_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    index("charges_intent_idx").on(t.paymentIntentId),
    index("charges_psp_charge_idx").on(t.pspChargeId).where(sql`${t.pspChargeId} is not null`),
    check("charges_amount_positive", sql`${t.amount} > 0`),
    check(
      "charges_amounts_consistent",
      sql`${t.amountCaptured} >= 0 and ${t.amountCaptured} <= ${t.amount} and ${t.amountRefunded} >= 0 and ${t.amountRefunded} <= ${t.amountCaptured}`,
    ),
  ],
);

/**
 * Stripe's BalanceTransaction: one per money movement, each the projection of exactly one ledger
 * journal (capture or refund), written with it in the same transaction. The composite foreign key
 * makes a balance transaction without its journal impossible; the unique reference makes a second
 * one for the same journal impossible. amount/fee are the journal's merchant_payable and psp_fees lines.
 */
export const balanceTransactions = pgTable(
  "balance_transactions",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    journalReference: text("journal_reference").notNull(),
    type: balanceTransactionType("type").notNull(),
    reportingCategory: text("reporting_category").notNull(),
    /** The charge (ch_) or refund (re_) that moved the money. */
    sourceId: text("source_id").notNull(),
    paymentIntentId: text("payment_intent_id"),
    amount: minor("amount").notNull(),
    fee: minor("fee").notNull(),
    net: minor("net").notNull(),
    currency: currency().notNull(),
    feeDetails: jsonb("fee_details").$type<Record<string, unknown>[]>().notNull().default([]),
    description: text("description"),
    availableOn: timestamp("available_on", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** The PSP's balance transaction this one was reconciled with (unique: one PSP line settles one of ours). */
    pspBalanceTransactionId: text("psp_balance_transaction_id"),
    /** Set by reconciliation when the PSP's report agrees (or was repaired to agree). */
    settledAt: timestamp("settled_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    uniqueIndex("balance_transactions_journal_uq").on(t.merchantId, t.journalReference),
    index("balance_transactions_merchant_created_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    index("balance_transactions_source_idx").on(t.sourceId),
    uniqueIndex("balance_transactions_psp_txn_uq").on(t.pspBalanceTransactionId),
    // Reconciliation looks for our rows of a period that no PSP line settled (missing at the PSP).
    index("balance_transactions_unsettled_idx").on(t.createdAt).where(sql`${t.pspBalanceTransactionId} is null`),
    foreignKey({
      name: "balance_transactions_journal_fk",
      columns: [t.merchantId, t.journalReference],
      foreignColumns: [ledgerJournals.merchantId, ledgerJournals.reference],
    }),
    check("balance_transactions_net", sql`${t.net} = ${t.amount} - ${t.fee}`),
    // A won dispute gives the dispute fee back: Stripe books it as a negative fee on the adjustment.
    check("balance_transactions_fee_nonneg", sql`${t.fee} >= 0 or ${t.type}::text = 'adjustment'`),
  ],
);
