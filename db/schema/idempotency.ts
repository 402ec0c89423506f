import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { merchants } from "./merchants";

/**
 * Life of a key: in_progress (a request holds it, locked_at) -> completed (answer stored in the
 * effect's transaction, replayed from then on) or resumable (the run ended without an answer: PSP
 * unreachable or an unexpected error; the same request retried takes it back and resumes the
 * recorded work). Every state is deleted once past the retention time.
 */
export const IDEMPOTENCY_KEY_STATUSES = ["in_progress", "resumable", "completed"] as const;

/** One row per (merchant, key), reserved before the work starts. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    requestPath: text("request_path").notNull(),
    status: text("status", { enum: IDEMPOTENCY_KEY_STATUSES }).notNull(),
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
