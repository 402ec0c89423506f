import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { merchants } from "./merchants";

/**
 * One row per (merchant, key). Reserved before the work starts (status in_progress, locked_at);
 * the response is stored in the same transaction as the effect that produced it.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    requestPath: text("request_path").notNull(),
    status: text("status", { enum: ["in_progress", "completed"] }).notNull(),
    lockedAt: timestamp("locked_at", { withTimezone: true }),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: "idempotency_keys_pk", columns: [t.merchantId, t.key] }),
    index("idempotency_keys_created_idx").on(t.createdAt),
    index("idempotency_keys_in_progress_idx").on(t.lockedAt).where(sql`${t.status} = 'in_progress'`),
  ],
);
