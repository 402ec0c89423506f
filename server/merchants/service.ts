import { merchants } from "@/db/schema";
import type { DbOrTx } from "@/db/client";
import { newId } from "../ids";
import { generateSecretKey, publishableKeyFor, storeApiKey } from "./api-keys";

/**
 * Creates a merchant with a fresh test secret key and its publishable key; the clear secret key is
 * returned once and never stored.
 */
export async function createMerchant(db: DbOrTx, p: { name: string; id?: string; secretKey?: string; brandColor?: string }) {
  const id = p.id ?? newId("acct", 16);
  await db.insert(merchants).values({ id, name: p.name, brandColor: p.brandColor ?? null }).onConflictDoNothing();
  const secretKey = p.secretKey ?? generateSecretKey("test");
  const publishableKey = publishableKeyFor(secretKey);
  await storeApiKey(db, id, secretKey);
  await storeApiKey(db, id, publishableKey);
  return { merchantId: id, secretKey, publishableKey };
}
