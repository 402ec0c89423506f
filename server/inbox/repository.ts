import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { pspEvents } from "@/db/schema";
import { newId } from "../ids";

export type PspEventRow = typeof pspEvents.$inferSelect;

/** Stores a verified PSP event once; returns the stored row's id and whether this call inserted it. */
export async function insertPspEvent(
  db: DbOrTx,
  e: { psp: string; eventId: string; type: string; objectId: string | null; rawBody: string },
): Promise<{ id: string; created: boolean }> {
  const [row] = await db
    .insert(pspEvents)
    .values({ id: newId("pse"), ...e })
    .onConflictDoNothing({ target: [pspEvents.psp, pspEvents.eventId] })
    .returning({ id: pspEvents.id });
  if (row) return { id: row.id, created: true };
  const [existing] = await db
    .select({ id: pspEvents.id })
    .from(pspEvents)
    .where(sql`${pspEvents.psp} = ${e.psp} and ${pspEvents.eventId} = ${e.eventId}`);
  return { id: existing!.id, created: false };
}

export async function findPspEvent(db: DbOrTx, id: string): Promise<PspEventRow | undefined> {
  const [row] = await db.select().from(pspEvents).where(eq(pspEvents.id, id));
  return row;
}

export async function markPspEventProcessed(db: DbOrTx, id: string, outcome: "applied" | "ignored"): Promise<void> {
  await db
    .update(pspEvents)
    .set({ processedAt: sql`now()`, outcome, attempts: sql`${pspEvents.attempts} + 1`, lastError: null })
    .where(eq(pspEvents.id, id));
}

export async function markPspEventFailed(db: DbOrTx, id: string, error: string): Promise<void> {
  await db
    .update(pspEvents)
    .set({ attempts: sql`${pspEvents.attempts} + 1`, lastError: error.slice(0, 500) })
    .where(eq(pspEvents.id, id));
}
