import { sql } from "drizzle-orm";
import { bigint, check, foreignKey, index, pgTable, text, timestamp, unique, uniqueIndex } from "drizzle-orm/pg-core";
import { currency, minor } from "./columns";
import { merchants } from "./merchants";

/** An account per merchant, purpose and currency; balances are derived from lines, never stored. */
export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    code: text("code").notNull(),
    currency: currency().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_accounts_merchant_code_currency_uq").on(t.merchantId, t.code, t.currency),
    // Target of the lines' composite foreign key: a line's currency must be its account's currency.
    unique("ledger_accounts_id_currency_uq").on(t.id, t.currency),
  ],
);

/** A journal groups balanced lines; `reference` makes posting the same business fact twice impossible. */
export const ledgerJournals = pgTable(
  "ledger_journals",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    kind: text("kind").notNull(),
    reference: text("reference").notNull(),
    paymentIntentId: text("payment_intent_id"),
    refundId: text("refund_id"),
    reversesJournalId: bigint("reverses_journal_id", { mode: "bigint" }),
    memo: text("memo"),
    postedAt: timestamp("posted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_journals_merchant_reference_uq").on(t.merchantId, t.reference),
    index("ledger_journals_payment_idx").on(t.paymentIntentId).where(sql`${t.paymentIntentId} is not null`),
    uniqueIndex("ledger_journals_reverses_uq").on(t.reversesJournalId).where(sql`${t.reversesJournalId} is not null`),
  ],
);

/** Signed amounts: debit > 0, credit < 0. Lines are append-only (trigger in drizzle/). */
export const ledgerLines = pgTable(
  "ledger_lines",
  {
    id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
    journalId: bigint("journal_id", { mode: "bigint" })
      .notNull()
      .references(() => ledgerJournals.id),
    accountId: bigint("account_id", { mode: "bigint" }).notNull(),
    currency: currency().notNull(),
    amount: minor("amount").notNull(),
  },
  (t) => [
    index("ledger_lines_journal_idx").on(t.journalId),
    index("ledger_lines_account_idx").on(t.accountId),
    foreignKey({
      name: "ledger_lines_account_currency_fk",
      columns: [t.accountId, t.currency],
      foreignColumns: [ledgerAccounts.id, ledgerAccounts.currency],
    }),
    check("ledger_lines_amount_nonzero", sql`${t.amount} <> 0`),
  ],
);
