import type { DbOrTx } from "@/db/client";
import { purgeKeysCreatedBefore } from "./repository";
import { KEY_RETENTION_MS } from "./with-idempotency";

/** Deletes idempotency keys past the retention window (24 hours), in every state. */
export async function purgeExpiredIdempotencyKeys(db: DbOrTx, now = new Date()): Promise<number> {
  return purgeKeysCreatedBefore(db, new Date(now.getTime() - KEY_RETENTION_MS));
}
