import { and, eq, sql, type SQL } from "drizzle-orm";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { balanceTransactions, charges } from "@/db/schema";
import type { BalanceTransactionType } from "@/db/schema/statuses";
import { keysetPage, type ListParams } from "../payments/repository";

export type ChargeRow = typeof charges.$inferSelect;
export type NewChargeRow = typeof charges.$inferInsert;
export type BalanceTransactionRow = typeof balanceTransactions.$inferSelect;
export type NewBalanceTransactionRow = typeof balanceTransactions.$inferInsert;

/** Exactly once per attempt: a repeated apply finds the row already there. */
export async function insertCharge(db: DbOrTx, row: NewChargeRow): Promise<void> {
  await db.insert(charges).values(row).onConflictDoNothing({ target: charges.id });
}

export async function findCharge(db: DbOrTx, merchantId: string, id: string): Promise<ChargeRow | undefined> {
  const [row] = await db.select().from(charges).where(and(eq(charges.merchantId, merchantId), eq(charges.id, id)));
  return row;
}

export async function markChargeCaptured(db: DbOrTx, id: string, p: { amountCaptured: bigint; balanceTransactionId: string }): Promise<void> {
  await db
    .update(charges)
    .set({ captured: true, amountCaptured: p.amountCaptured, balanceTransactionId: p.balanceTransactionId, updatedAt: new Date() })
    .where(eq(charges.id, id));
}

export async function addChargeRefund(db: DbOrTx, id: string, amount: bigint): Promise<void> {
  await db
    .update(charges)
    .set({ amountRefunded: sql`${charges.amountRefunded} + ${amount}`, updatedAt: new Date() })
    .where(eq(charges.id, id));
}

export async function listCharges(db: DbOrTx, p: ListParams & { paymentIntentId?: string }) {
  const conds: SQL[] = [eq(charges.merchantId, p.merchantId)];
  if (p.paymentIntentId) conds.push(eq(charges.paymentIntentId, p.paymentIntentId));
  return keysetPage<ChargeRow>(db, charges, conds, p);
}

/** Exactly once per journal (unique merchant + journal reference). */
export async function insertBalanceTransaction(db: DbOrTx, row: PgInsertValue<typeof balanceTransactions>): Promise<void> {
  await db.insert(balanceTransactions).values(row).onConflictDoNothing();
}

export async function findBalanceTransaction(db: DbOrTx, merchantId: string, id: string): Promise<BalanceTransactionRow | undefined> {
  const [row] = await db
    .select()
    .from(balanceTransactions)
    .where(and(eq(balanceTransactions.merchantId, merchantId), eq(balanceTransactions.id, id)));
  return row;
}

export async function listBalanceTransactions(
  db: DbOrTx,
  p: ListParams & { source?: string; type?: BalanceTransactionType; paymentIntentId?: string },
) {
  const conds: SQL[] = [eq(balanceTransactions.merchantId, p.merchantId)];
  if (p.source) conds.push(eq(balanceTransactions.sourceId, p.source));
  if (p.type) conds.push(eq(balanceTransactions.type, p.type));
  if (p.paymentIntentId) conds.push(eq(balanceTransactions.paymentIntentId, p.paymentIntentId));
  return keysetPage<BalanceTransactionRow>(db, balanceTransactions, conds, p);
}
