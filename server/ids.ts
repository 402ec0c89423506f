import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Stripe-style ids: a prefix and 24 random base62 characters (about 143 bits). */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = `${prefix}_`;
  for (const b of bytes) out += ALPHABET[b % 62];
  return out;
}

/** A stable id derived from a scope and a caller's key: the same request always names the same object. */
export function derivedId(prefix: string, scope: string, key: string, length = 24): string {
  const digest = createHash("sha256").update(`${scope}\u0000${key}`).digest();
  let out = `${prefix}_`;
  for (let i = 0; i < length; i++) out += ALPHABET[digest[i]! % 62];
  return out;
}

/** Identifies one API request in responses (Request-Id, error messages) and in the logs. */
export const newRequestId = (): string => `req_${randomBytes(12).toString("hex")}`;
