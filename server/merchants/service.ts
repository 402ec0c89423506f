import { merchants } from "@/db/schema";
import type { DbOrTx } from "@/db/client";
import { newId } from "../ids";
import { generateSecretKey, storeApiKey } from "./api-keys";

/** Creates a merchant with a fresh test secret key; the clear key is returned once and never stored. */
export async function createMerchant(db: DbOrTx, p: { name: string; id?: string; secretKey?: string }) {
  const id = p.id ?? newId("acct", 16);
  await db.insert(merchants).values({ id, name: p.name }).onConflictDoNothing();
  const secretKey = p.secretKey ?? generateSecretKey("test");
  await storeApiKey(db, id, secretKey);
  return { merchantId: id, secretKey };
}
