import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** A new endpoint signing secret, shaped like Stripe's. */
export function generateEndpointSecret(): string {
  return `whsec_${randomBytes(24).toString("base64url")}`;
}

function keyBytes(key: string): Buffer {
  const buf = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, "hex") : Buffer.from(key, "base64");
  if (buf.length !== 32) throw new Error("WEBHOOK_ENCRYPTION_KEY must be 32 bytes (64 hex chars or base64)");
  return buf;
}

/**
 * Seals a signing secret for storage: AES-256-GCM (`gcm1:<iv>:<tag>:<ciphertext>`, base64url) when a
 * key is configured, else `plain:<secret>` (the secret must stay usable for signing, so it cannot be hashed).
 */
export function sealSecret(secret: string, key: string | undefined): string {
  if (!key) return `plain:${secret}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyBytes(key), iv);
  const ct = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return ["gcm1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(":");
}

export function openSecret(sealed: string, key: string | undefined): string {
  if (sealed.startsWith("plain:")) return sealed.slice("plain:".length);
  const [scheme, iv, tag, ct] = sealed.split(":");
  if (scheme !== "gcm1" || !iv || !tag || !ct) throw new Error("unrecognized sealed secret");
  if (!key) throw new Error("a webhook secret is sealed but WEBHOOK_ENCRYPTION_KEY is not set");
  const decipher = createDecipheriv("aes-256-gcm", keyBytes(key), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
