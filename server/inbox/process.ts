import { logger } from "../logger";
import type { PaymentsContext } from "../payments/context";
import { PSP_EVENT_HANDLERS, type PspEventHandler } from "./handlers";
import { findPspEvent, markPspEventFailed, markPspEventProcessed } from "./repository";

/**
 * Applies one stored PSP event (worker task `psp_event`): loads the inbox row, dispatches by type,
 * and records the outcome. A handler error is recorded on the row and rethrown so the job retries
 * with backoff (and lands in the dead-letter list when its attempts run out).
 */
export async function processPspEvent(
  ctx: PaymentsContext,
  inboxId: string,
  handlers: Record<string, PspEventHandler> = PSP_EVENT_HANDLERS,
): Promise<"applied" | "ignored" | "already_processed" | "missing"> {
  const row = await findPspEvent(ctx.db, inboxId);
  if (!row) return "missing";
  if (row.processedAt) return "already_processed";
  const handler = handlers[row.type];
  if (!handler) {
    await markPspEventProcessed(ctx.db, row.id, "ignored");
    return "ignored";
  }
  const parsed = JSON.parse(row.rawBody) as { data?: { object?: Record<string, unknown> } };
  try {
    const outcome = await handler(ctx, { type: row.type, object: parsed.data?.object ?? {} });
    await markPspEventProcessed(ctx.db, row.id, outcome);
    return outcome;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    await markPspEventFailed(ctx.db, row.id, message);
    logger.warn({ inboxId: row.id, type: row.type, eventId: row.eventId, err: message }, "psp event not applied yet");
    throw e;
  }
}
