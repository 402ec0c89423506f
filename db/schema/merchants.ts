import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";

export const merchants = pgTable("merchants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Hex colour (#rrggbb) of the merchant's hosted checkout; a neutral default when null. */
  brandColor: text("brand_color"),
  ...timestamps(),
});

/** API keys are stored as a SHA-256 hash; only a display prefix is kept in clear. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    keyHash: text("key_hash").notNull(),
    displayPrefix: text("display_prefix").notNull(),
    mode: text("mode", { enum: ["test", "live"] }).notNull(),
    /** secret (sk_) may call every route; publishable (pk_) only what Stripe.js may do. */
    kind: text("kind", { enum: ["secret", "publishable"] }).notNull().default("secret"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_uq").on(t.keyHash),
    index("api_keys_merchant_idx").on(t.merchantId).where(sql`${t.revokedAt} is null`),
  ],
);
