import { createHash, createHmac, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { newId } from "../ids";

/** API keys are looked up by SHA-256; they are high-entropy random strings, so no salt is needed. */
export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

export type ApiKeyKind = "secret" | "publishable";

export function generateSecretKey(mode: "test" | "live" = "test"): string {
  return `sk_${mode}_${randomBytes(24).toString("base64url")}`;
}

/**
 * The publishable key paired with a secret key. Derived (HMAC) so a launcher that only keeps the
 * secret key can print the same publishable key on every start; it reveals nothing about the secret.
 */
export function publishableKeyFor(secretKey: string): string {
  const mode = secretKey.startsWith("sk_live_") ? "live" : "test";
  return `pk_${mode}_${createHmac("sha256", secretKey).update("payrail publishable key").digest("base64url").slice(0, 32)}`;
}

export const keyKindOf = (key: string): ApiKeyKind => (key.startsWith("pk_") ? "publishable" : "secret");

export async function storeApiKey(db: DbOrTx, merchantId: string, key: string): Promise<void> {
  await db
    .insert(apiKeys)
    .values({
      id: newId("key"),
      merchantId,
      keyHash: hashApiKey(key),
      displayPrefix: `${key.slice(0, 12)}…`,
      mode: /^[sp]k_live_/.test(key) ? "live" : "test",
      kind: keyKindOf(key),
    })
    .onConflictDoNothing();
}

export interface ResolvedKey {
  merchantId: string;
  kind: ApiKeyKind;
}

const CACHE_TTL_MS = 30_000;
const cache = new Map<string, { key: ResolvedKey | null; at: number }>();

/** Resolves any API key to its merchant and kind; a short cache keeps the hot path off the database. */
export async function resolveApiKey(db: DbOrTx, key: string): Promise<ResolvedKey | null> {
  const hash = hashApiKey(key);
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.key;
  const [row] = await db
    .select({ merchantId: apiKeys.merchantId, kind: apiKeys.kind })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
  const resolved = row ? { merchantId: row.merchantId, kind: row.kind } : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { key: resolved, at: Date.now() });
  return resolved;
}

/** Resolves a secret key to its merchant; a publishable key is not a merchant credential (null). */
export async function merchantForApiKey(db: DbOrTx, secretKey: string): Promise<string | null> {
  const key = await resolveApiKey(db, secretKey);
  return key?.kind === "secret" ? key.merchantId : null;
}
