import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Inbound PSP webhooks, stored verbatim once per (psp, event id) before we answer 2xx. A worker job
 * applies each row; `processed_at` is set when it is done (or knowingly ignored: `outcome`).
 */
export const pspEvents = pgTable(
  "psp_events",
  {
    id: text("id").primaryKey(),
    psp: text("psp").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    objectId: text("object_id"),
    /** The body exactly as received (signature was verified on these bytes). */
    rawBody: text("raw_body").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** applied | ignored */
    outcome: text("outcome", { enum: ["applied", "ignored"] }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [
    uniqueIndex("psp_events_psp_event_uq").on(t.psp, t.eventId),
    index("psp_events_unprocessed_idx").on(t.receivedAt).where(sql`${t.processedAt} is null`),
  ],
);
