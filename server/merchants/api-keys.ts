import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { newId } from "../ids";

/** API keys are looked up by SHA-256; they are high-entropy random strings, so no salt is needed. */
export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

export function generateSecretKey(mode: "test" | "live" = "test"): string {
  return `sk_${mode}_${randomBytes(24).toString("base64url")}`;
}

export async function storeApiKey(db: DbOrTx, merchantId: string, secretKey: string): Promise<void> {
  await db
    .insert(apiKeys)
    .values({
      id: newId("key"),
      merchantId,
      keyHash: hashApiKey(secretKey),
      displayPrefix: `${secretKey.slice(0, 12)}…`,
      mode: secretKey.startsWith("sk_live_") ? "live" : "test",
    })
    .onConflictDoNothing();
}

const CACHE_TTL_MS = 30_000;
const cache = new Map<string, { merchantId: string | null; at: number }>();

/** Resolves a secret key to its merchant; a short cache keeps the hot path off the database. */
export async function merchantForApiKey(db: DbOrTx, secretKey: string): Promise<string | null> {
  const hash = hashApiKey(secretKey);
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.merchantId;
  const [row] = await db
    .select({ merchantId: apiKeys.merchantId })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  const merchantId = row?.merchantId ?? null;
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { merchantId, at: Date.now() });
  return merchantId;
}
