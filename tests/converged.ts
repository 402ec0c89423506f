import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { paymentAttempts, paymentIntents, refunds } from "@/db/schema";
import { paymentLedgerTotals, trialBalance } from "@/server/ledger";
import type { SimStats } from "./harness";

/**
 * The end state every fault test checks: every currency's ledger sums to zero, at most one PSP
 * charge per intent, nothing left in flight, and each intent's booked money agrees with its status.
 * Returns the problems found (empty when converged), so tests can poll it with a deadline.
 */
export async function convergenceProblems(db: Db, merchantId: string, stats: SimStats): Promise<string[]> {
  const problems: string[] = [];
  const tb = await trialBalance(db, { merchantId });
  if (!tb.balanced) problems.push(`ledger unbalanced: ${JSON.stringify(tb, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
  if (stats.duplicateChargeCount > 0) problems.push(`duplicate PSP charges: ${JSON.stringify(stats.duplicateCharges)}`);
  const intents = await db.select().from(paymentIntents).where(eq(paymentIntents.merchantId, merchantId));
  const open = await db
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.merchantId, merchantId), inArray(paymentAttempts.status, ["pending", "exhausted"])));
  for (const a of open) problems.push(`attempt ${a.id} (${a.kind}) of ${a.paymentIntentId} is ${a.status}`);
  const pendingRefunds = await db.select().from(refunds).where(and(eq(refunds.merchantId, merchantId), eq(refunds.status, "pending")));
  for (const r of pendingRefunds) problems.push(`refund ${r.id} is pending`);
  for (const pi of intents) {
    if (["authorizing", "capturing", "cancelling"].includes(pi.status)) problems.push(`${pi.id} in flight (${pi.status})`);
    const charges = stats.chargesByMetadata[pi.id] ?? 0;
    const t = await paymentLedgerTotals(db, merchantId, pi.id);
    const expectCharged = ["authorized", "captured", "partially_refunded", "refunded"].includes(pi.status);
    if (expectCharged && charges !== 1) problems.push(`${pi.id} is ${pi.status} with ${charges} PSP charges`);
    if (!expectCharged && pi.status !== "cancelled" && charges !== 0) problems.push(`${pi.id} is ${pi.status} but the PSP charged it ${charges} times`);
    if (t.captured !== pi.amountReceived) problems.push(`${pi.id}: ledger captured ${t.captured} != amount_received ${pi.amountReceived}`);
    if (t.held !== pi.amountCapturable) problems.push(`${pi.id}: ledger held ${t.held} != amount_capturable ${pi.amountCapturable}`);
    if (t.refunded !== pi.amountRefunded) problems.push(`${pi.id}: ledger refunded ${t.refunded} != amount_refunded ${pi.amountRefunded}`);
  }
  return problems;
}

/** Polls `check` until it returns no problems or the deadline passes; returns the last problems. */
export async function until(check: () => Promise<string[]>, opts: { timeoutMs: number; everyMs?: number; between?: () => Promise<unknown> }): Promise<string[]> {
  const end = Date.now() + opts.timeoutMs;
  let problems = await check();
  while (problems.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 200));
    if (opts.between) await opts.between();
    problems = await check();
  }
  return problems;
}
