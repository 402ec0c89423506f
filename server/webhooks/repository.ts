import { and, asc, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from "@/db/schema";

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

const live = (merchantId: string, id: string) => and(eq(webhookEndpoints.merchantId, merchantId), eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAt));

export async function insertEndpoint(db: DbOrTx, row: typeof webhookEndpoints.$inferInsert): Promise<WebhookEndpointRow> {
  const [created] = await db.insert(webhookEndpoints).values(row).returning();
  return created!;
}

export async function findEndpoint(db: DbOrTx, merchantId: string, id: string): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db.select().from(webhookEndpoints).where(live(merchantId, id));
  return row;
}

export async function findEndpointById(db: DbOrTx, id: string): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row;
}

export async function updateEndpoint(
  db: DbOrTx,
  merchantId: string,
  id: string,
  changes: Partial<typeof webhookEndpoints.$inferInsert>,
): Promise<WebhookEndpointRow | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(live(merchantId, id))
    .returning();
  return row;
}

/** Cursor pagination (newest first), Stripe's starting_after / ending_before. */
export async function listEndpoints(db: DbOrTx, p: { merchantId: string; limit: number; startingAfter?: string; endingBefore?: string }) {
  const conds: SQL[] = [eq(webhookEndpoints.merchantId, p.merchantId), isNull(webhookEndpoints.deletedAt)];
  const cursor = p.startingAfter ?? p.endingBefore;
  if (cursor) {
    const cmp = p.startingAfter ? sql`<` : sql`>`;
    conds.push(
      sql`(${webhookEndpoints.createdAt}, ${webhookEndpoints.id}) ${cmp} (select c.created_at, c.id from ${webhookEndpoints} c where c.id = ${cursor} and c.merchant_id = ${p.merchantId})`,
    );
  }
  const order = p.endingBefore ? [asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id)] : [desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id)];
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(...conds))
    .orderBy(...order)
    .limit(p.limit + 1);
  const hasMore = rows.length > p.limit;
  const page = rows.slice(0, p.limit);
  return { rows: p.endingBefore ? page.reverse() : page, hasMore };
}

/** The pending deliveries of one (endpoint, object), oldest first: the order they must be sent in. */
export async function pendingDeliveries(db: DbOrTx, endpointId: string, objectId: string, limit = 50): Promise<WebhookDeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.objectId, objectId), eq(webhookDeliveries.status, "pending")))
    .orderBy(asc(webhookDeliveries.seq))
    .limit(limit);
}

export async function findDelivery(db: DbOrTx, id: string): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  return row;
}

export async function recordAttempt(
  db: DbOrTx,
  deliveryId: string,
  a: { httpStatus: number | null; latencyMs: number; responseSnippet: string | null; error: string | null; manual: boolean },
  next: { status?: "pending" | "succeeded" | "failed" },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(webhookDeliveryAttempts).values({ deliveryId, ...a });
    await tx
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        lastStatus: a.httpStatus,
        updatedAt: sql`now()`,
        ...(next.status ? { status: next.status } : {}),
        ...(next.status === "succeeded" ? { deliveredAt: sql`now()` } : {}),
      })
      .where(eq(webhookDeliveries.id, deliveryId));
  });
}

export async function setDeliveriesStatus(db: DbOrTx, endpointId: string, objectId: string, from: "pending" | "failed", to: "pending" | "failed"): Promise<number> {
  const rows = await db
    .update(webhookDeliveries)
    .set({ status: to, updatedAt: sql`now()` })
    .where(and(eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.objectId, objectId), eq(webhookDeliveries.status, from)))
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}

export async function listAttempts(db: DbOrTx, deliveryId: string) {
  return db.select().from(webhookDeliveryAttempts).where(eq(webhookDeliveryAttempts.deliveryId, deliveryId)).orderBy(asc(webhookDeliveryAttempts.id));
}
