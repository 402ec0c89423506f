import { and, eq, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { checkoutSessions, merchants, paymentIntents } from "@/db/schema";
import { keysetPage, type ListParams } from "../payments/repository";

export type CheckoutSessionRow = typeof checkoutSessions.$inferSelect;

/** Data access for Checkout Sessions, always scoped by merchant (except the hosted page's token lookup). */
export async function insertCheckoutSession(db: DbOrTx, row: typeof checkoutSessions.$inferInsert): Promise<CheckoutSessionRow> {
  const [created] = await db.insert(checkoutSessions).values(row).returning();
  return created!;
}

export async function findCheckoutSession(db: DbOrTx, merchantId: string, id: string, opts: { lock?: boolean } = {}) {
  const q = db.select().from(checkoutSessions).where(and(eq(checkoutSessions.merchantId, merchantId), eq(checkoutSessions.id, id)));
  const [row] = await (opts.lock ? q.for("update") : q);
  return row;
}

/** The hosted page's lookup: the URL token is the only credential the customer holds. */
export async function findCheckoutByToken(db: DbOrTx, token: string) {
  const [row] = await db
    .select({ session: checkoutSessions, merchantName: merchants.name, brandColor: merchants.brandColor })
    .from(checkoutSessions)
    .innerJoin(merchants, eq(merchants.id, checkoutSessions.merchantId))
    .where(eq(checkoutSessions.urlToken, token));
  return row;
}

export async function findCheckoutForIntent(db: DbOrTx, paymentIntentId: string, opts: { lock?: boolean } = {}) {
  const q = db.select().from(checkoutSessions).where(eq(checkoutSessions.paymentIntentId, paymentIntentId));
  const [row] = await (opts.lock ? q.for("update") : q);
  return row;
}

export async function updateCheckoutSession(db: DbOrTx, id: string, changes: Partial<typeof checkoutSessions.$inferInsert>) {
  const [row] = await db
    .update(checkoutSessions)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(checkoutSessions.id, id))
    .returning();
  return row!;
}

export function listCheckoutSessions(db: DbOrTx, p: ListParams & { paymentIntent?: string }) {
  const conds = [eq(checkoutSessions.merchantId, p.merchantId)];
  if (p.paymentIntent) conds.push(eq(checkoutSessions.paymentIntentId, p.paymentIntent));
  return keysetPage<CheckoutSessionRow>(db, checkoutSessions, conds, p);
}

/** Open sessions whose expires_at has passed (the sweep expires them and emits the event). */
export async function dueForExpiry(db: DbOrTx, now: Date, limit = 100) {
  return db
    .select({ id: checkoutSessions.id, merchantId: checkoutSessions.merchantId })
    .from(checkoutSessions)
    .where(and(eq(checkoutSessions.status, "open"), lte(checkoutSessions.expiresAt, now)))
    .orderBy(sql`${checkoutSessions.expiresAt}`)
    .limit(limit);
}

/** The bare-intent page (/pay/<client_secret>): the intent by id with its merchant's display fields. */
export async function findIntentForHostedPage(db: DbOrTx, id: string) {
  const [row] = await db
    .select({ pi: paymentIntents, merchantName: merchants.name, brandColor: merchants.brandColor })
    .from(paymentIntents)
    .innerJoin(merchants, eq(merchants.id, paymentIntents.merchantId))
    .where(eq(paymentIntents.id, id));
  return row;
}
