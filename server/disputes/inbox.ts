import type { PspEventHandler } from "../inbox/handlers";
import { applyDisputeSnapshot } from "./apply";

/**
 * Every dispute event only says "look again": the dispute is retrieved from the PSP (with its
 * payment's metadata, which names our payment) and its current state applied, so duplicates, late
 * and out-of-order events are harmless. A PSP that does not answer leaves the event to be retried.
 */
export const refreshDispute: PspEventHandler = async (ctx, event) => {
  const id = event.object.id;
  if (typeof id !== "string" || id === "") return "ignored";
  const found = await ctx.psp.retrieveDispute(id);
  if (found.outcome === "unknown") throw new Error(`the PSP did not answer for dispute ${id}: ${found.reason.slice(0, 200)}`);
  if (found.outcome === "failed") return "ignored"; // the PSP does not know it (not our account)
  if (!found.payrail) return "ignored"; // a payment not made through Payrail
  const snap = { ...found, payrail: found.payrail };
  await ctx.db.transaction((tx) => applyDisputeSnapshot(tx, snap));
  return "applied";
};
