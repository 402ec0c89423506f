import { and, asc, desc, eq, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { type balanceTransactions, type charges, type checkoutSessions, type disputes, events, paymentAttempts, paymentIntents, type refunds } from "@/db/schema";
import { newId } from "../ids";
import { currentRequest } from "../request-context";
import type { AttemptKind, PaymentStatus } from "@/db/schema/statuses";

export type PaymentIntentRow = typeof paymentIntents.$inferSelect;
export type NewPaymentIntentRow = typeof paymentIntents.$inferInsert;
export type AttemptRow = typeof paymentAttempts.$inferSelect;
export type EventRow = typeof events.$inferSelect;

export async function insertPaymentIntent(db: DbOrTx, row: NewPaymentIntentRow): Promise<PaymentIntentRow> {
  const [created] = await db.insert(paymentIntents).values(row).returning();
  return created!;
}

export async function findPaymentIntent(db: DbOrTx, merchantId: string, id: string): Promise<PaymentIntentRow | undefined> {
  const [row] = await db
    .select()
    .from(paymentIntents)
    .where(and(eq(paymentIntents.merchantId, merchantId), eq(paymentIntents.id, id)));
  return row;
}

/** Row lock that serializes every state change of one payment intent. */
export async function lockPaymentIntent(db: DbOrTx, merchantId: string, id: string): Promise<PaymentIntentRow | undefined> {
  const [row] = await db
    .select()
    .from(paymentIntents)
    .where(and(eq(paymentIntents.merchantId, merchantId), eq(paymentIntents.id, id)))
    .for("update");
  return row;
}

export async function updatePaymentIntent(
  db: DbOrTx,
  current: PaymentIntentRow,
  changes: Partial<Omit<NewPaymentIntentRow, "id" | "merchantId" | "version">>,
): Promise<PaymentIntentRow> {
  const [row] = await db
    .update(paymentIntents)
    .set({ ...changes, version: sql`${paymentIntents.version} + 1`, updatedAt: new Date() })
    .where(and(eq(paymentIntents.id, current.id), eq(paymentIntents.version, current.version)))
    .returning();
  if (!row) throw new Error(`concurrent update of ${current.id} (version ${current.version})`);
  return row;
}

/**
 * Keyset page, newest first: the cursor row is looked up in the same query, so the comparison uses
 * the stored microsecond timestamp rather than a rounded JS Date.
 */
export async function keysetPage<T extends { id: string }>(
  db: DbOrTx,
  table: typeof paymentIntents | typeof refunds | typeof events | typeof charges | typeof balanceTransactions | typeof checkoutSessions | typeof disputes,
  conds: SQL[],
  p: ListParams,
): Promise<{ rows: T[]; hasMore: boolean }> {
  const cursorId = p.startingAfter ?? p.endingBefore;
  if (cursorId) {
    const cmp = p.startingAfter ? sql`<` : sql`>`;
    conds.push(
      sql`(${table.createdAt}, ${table.id}) ${cmp} (select c.created_at, c.id from ${table} c where c.id = ${cursorId} and c.merchant_id = ${p.merchantId})`,
    );
  }
  const order = p.endingBefore ? [asc(table.createdAt), asc(table.id)] : [desc(table.createdAt), desc(table.id)];
  const rows = (await db.select().from(table).where(and(...conds)).orderBy(...order).limit(p.limit + 1)) as unknown as T[];
  const hasMore = rows.length > p.limit;
  const page = rows.slice(0, p.limit);
  return { rows: p.endingBefore ? page.reverse() : page, hasMore };
}

export interface ListParams {
  merchantId: string;
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

/** Newest first, cursor by id of the last row seen (Stripe's starting_after / ending_before). */
export async function listPaymentIntents(db: DbOrTx, p: ListParams & { status?: PaymentStatus[] }) {
  const conds: SQL[] = [eq(paymentIntents.merchantId, p.merchantId)];
  if (p.status?.length) conds.push(inArray(paymentIntents.status, p.status));
  return keysetPage<PaymentIntentRow>(db, paymentIntents, conds, p);
}

export async function insertAttempt(db: DbOrTx, row: typeof paymentAttempts.$inferInsert): Promise<AttemptRow> {
  const [created] = await db.insert(paymentAttempts).values(row).returning();
  return created!;
}

export async function findPendingAttempt(db: DbOrTx, paymentIntentId: string, kind: AttemptKind, refundId?: string) {
  const conds = [eq(paymentAttempts.paymentIntentId, paymentIntentId), eq(paymentAttempts.kind, kind), eq(paymentAttempts.status, "pending")];
  if (refundId) conds.push(eq(paymentAttempts.refundId, refundId));
  const [row] = await db.select().from(paymentAttempts).where(and(...conds)).orderBy(desc(paymentAttempts.createdAt)).limit(1);
  return row;
}

export async function findAttempt(db: DbOrTx, id: string): Promise<AttemptRow | undefined> {
  const [row] = await db.select().from(paymentAttempts).where(eq(paymentAttempts.id, id));
  return row;
}

export async function updateAttempt(db: DbOrTx, id: string, changes: Partial<typeof paymentAttempts.$inferInsert>) {
  await db.update(paymentAttempts).set({ ...changes, updatedAt: new Date() }).where(eq(paymentAttempts.id, id));
}

export interface DueAttemptsQuery {
  now: Date;
  /** Pending attempts created after this are probably still running inside their request. */
  pendingCreatedBefore: Date;
  /** Customers get this long to authenticate before recovery asks the PSP. */
  actionCreatedBefore: Date;
  limit: number;
}

/** Attempts recovery should look at now, the longest-waiting first (by next_attempt_at, indexed). */
export async function listDueAttempts(db: DbOrTx, q: DueAttemptsQuery): Promise<AttemptRow[]> {
  return db
    .select()
    .from(paymentAttempts)
    .where(
      and(
        inArray(paymentAttempts.status, ["pending", "requires_action"]),
        lte(paymentAttempts.nextAttemptAt, q.now),
        or(
          and(eq(paymentAttempts.status, "pending"), lt(paymentAttempts.createdAt, q.pendingCreatedBefore)),
          and(eq(paymentAttempts.status, "requires_action"), lt(paymentAttempts.createdAt, q.actionCreatedBefore)),
        ),
      ),
    )
    .orderBy(asc(paymentAttempts.nextAttemptAt), asc(paymentAttempts.id))
    .limit(q.limit);
}

/**
 * Changes an attempt only while it still has the status the caller saw (someone else may have
 * resolved it meanwhile); returns whether it did.
 */
export async function updateAttemptIf(
  db: DbOrTx,
  id: string,
  expected: AttemptRow["status"],
  changes: Partial<typeof paymentAttempts.$inferInsert>,
): Promise<boolean> {
  const rows = await db
    .update(paymentAttempts)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(paymentAttempts.id, id), eq(paymentAttempts.status, expected)))
    .returning({ id: paymentAttempts.id });
  return rows.length === 1;
}

/** The authorization waiting for the customer to authenticate, if any. */
export async function findActionAttempt(db: DbOrTx, paymentIntentId: string): Promise<AttemptRow | undefined> {
  const [row] = await db
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.paymentIntentId, paymentIntentId), eq(paymentAttempts.kind, "authorize"), eq(paymentAttempts.status, "requires_action")))
    .orderBy(desc(paymentAttempts.createdAt))
    .limit(1);
  return row;
}

/** A new confirmation replaces the challenge of the previous one (as at the PSP). */
export async function supersedeActionAttempts(db: DbOrTx, paymentIntentId: string): Promise<void> {
  await db
    .update(paymentAttempts)
    .set({ status: "failed", failureCode: "superseded", failureMessage: "Replaced by a new confirmation.", nextAttemptAt: null, updatedAt: new Date() })
    .where(and(eq(paymentAttempts.paymentIntentId, paymentIntentId), eq(paymentAttempts.status, "requires_action")));
}

/** Appends a merchant-visible event; it doubles as the outbox row. */
export async function recordEvent(db: DbOrTx, merchantId: string, type: string, objectId: string, object: Record<string, unknown>) {
  const request = currentRequest();
  await db.insert(events).values({
    id: newId("evt"),
    merchantId,
    type,
    objectId,
    data: { object },
    requestId: request?.requestId ?? null,
    requestIdempotencyKey: request?.idempotencyKey ?? null,
  });
}

export async function findEvent(db: DbOrTx, merchantId: string, id: string): Promise<EventRow | undefined> {
  const [row] = await db.select().from(events).where(and(eq(events.merchantId, merchantId), eq(events.id, id)));
  return row;
}

export async function listEvents(db: DbOrTx, p: ListParams & { type?: string }) {
  const conds: SQL[] = [eq(events.merchantId, p.merchantId)];
  if (p.type) conds.push(p.type.endsWith("*") ? sql`${events.type} like ${p.type.slice(0, -1) + "%"}` : eq(events.type, p.type));
  return keysetPage<EventRow>(db, events, conds, p);
}
