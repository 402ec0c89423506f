import type { DbOrTx } from "@/db/client";
import { purgeCompletedBefore } from "./repository";
import { KEY_RETENTION_MS } from "./with-idempotency";

/** Deletes completed idempotency keys past the retention window (at least 24 hours). */
export async function purgeExpiredIdempotencyKeys(db: DbOrTx, now = new Date()): Promise<number> {
  return purgeCompletedBefore(db, new Date(now.getTime() - KEY_RETENTION_MS));
}
