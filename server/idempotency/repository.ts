import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { idempotencyKeys } from "@/db/schema";

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/** Inserts an in-progress reservation; returns undefined when the key already exists. */
export async function tryReserve(db: DbOrTx, r: { merchantId: string; key: string; requestHash: string; requestPath: string }) {
  const [row] = await db
    .insert(idempotencyKeys)
    .values({ ...r, status: "in_progress", lockedAt: new Date() })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function findKey(db: DbOrTx, merchantId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key)));
  return row;
}

/** Takes over an unfinished key whose holder released it (resumable) or died (lock older than staleBefore). */
export async function tryTakeOver(db: DbOrTx, merchantId: string, key: string, staleBefore: Date): Promise<boolean> {
  const rows = await db
    .update(idempotencyKeys)
    .set({ status: "in_progress", lockedAt: new Date() })
    .where(
      and(
        eq(idempotencyKeys.merchantId, merchantId),
        eq(idempotencyKeys.key, key),
        or(
          eq(idempotencyKeys.status, "resumable"),
          and(eq(idempotencyKeys.status, "in_progress"), or(isNull(idempotencyKeys.lockedAt), lt(idempotencyKeys.lockedAt, staleBefore))),
        ),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}

export async function complete(db: DbOrTx, merchantId: string, key: string, status: number, body: string): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ status: "completed", responseStatus: status, responseBody: body, completedAt: new Date(), lockedAt: null })
    .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key)));
}

/** Marks an unfinished key resumable so a retry of the same request can resume the work. */
export async function release(db: DbOrTx, merchantId: string, key: string): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ status: "resumable", lockedAt: null })
    .where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.status, "in_progress")));
}

/**
 * Removes every key created before `before`, whatever its state: an unfinished key's work is an
 * attempt that recovery resolves on its own, so the key is only the client's handle on it, and
 * like Stripe's keys it expires.
 */
export async function purgeKeysCreatedBefore(db: DbOrTx, before: Date): Promise<number> {
  const rows = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before)).returning({ key: idempotencyKeys.key });
  return rows.length;
}

