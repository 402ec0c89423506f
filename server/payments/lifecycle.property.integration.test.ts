import { and, eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { financeExceptions, paymentAttempts, refunds } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { paymentLedgerTotals, trialBalance } from "@/server/ledger";
import { createHarness, type Harness } from "@/tests/harness";
import { createRefund } from "../refunds/service";
import { cancelPaymentIntent, capturePaymentIntent, confirmPaymentIntent, createPaymentIntent, updatePaymentIntentDetails } from "./orchestrator";
import { findPaymentIntent } from "./repository";
import { IN_FLIGHT_STATUSES } from "./state-machine";

/** PROPERTY_RUNS=1000 for the long run; the default keeps the suite's share under a minute. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 250);
/** The client gives up before the simulator's timeout fault answers, so those calls end without an answer. */
const CLIENT_TIMEOUT_MS = 100;
const HANG_MS = 150;

let h: Harness;
let psp: Stripe; // the PSP seen with the platform's own key: what it really holds and charged
beforeAll(async () => {
  h = await createHarness();
  psp = new Stripe(h.pspKey, { host: "127.0.0.1", port: h.sim.port, protocol: "http", maxNetworkRetries: 0 });
});
afterAll(async () => {
  await h.close();
});

const METHODS = ["pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined", "pm_card_chargeDeclinedInsufficientFunds", "pm_unknown"] as const;
const methodArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(METHODS[0], METHODS[1]) }, { weight: 2, arbitrary: fc.constantFrom(...METHODS.slice(2)) });
const CURRENCIES = ["usd", "jpy", "kwd"] as const;
type Method = (typeof METHODS)[number];

/**
 * A simulator fault armed before an operation: a counted one (5xx, timeout after commit) fires on
 * the next PSP request whose path matches, in this operation or a later one; latency lasts for the operation.
 */
type Fault =
  | { kind: "fail5xx" | "timeout"; path?: string }
  | { kind: "latency"; ms: number };

type Op = (
  | { op: "confirm"; method: Method | null }
  | { op: "update"; amount?: number; currency?: string; payment_method?: Method; capture_method?: "automatic" | "manual" }
  | { op: "capture"; amount: number | null }
  | { op: "cancel" }
  | { op: "refund"; amount: number | null }
  | { op: "resume" } // the merchant retries its unanswered requests
) & { fault?: Fault };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("fail5xx" as const, "timeout" as const),
    // No path: the operation's first PSP request (e.g. the update before a re-confirmation).
    path: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom("/v1/payment_intents", "/confirm", "/capture", "/cancel", "/v1/refunds") },
    ),
  }, { requiredKeys: ["kind"] }),
  fc.record({ kind: fc.constant("latency" as const), ms: fc.constantFrom(5, HANG_MS) }),
);

const amountArb = fc.option(fc.integer({ min: 1, max: 12_000 }), { nil: null });
const opArb: fc.Arbitrary<Op> = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ op: fc.constant("confirm" as const), method: fc.option(methodArb, { nil: null }) }) },
      {
        weight: 2,
        arbitrary: fc.record(
          {
            op: fc.constant("update" as const),
            amount: fc.integer({ min: 1, max: 10_000 }),
            currency: fc.constantFrom(...CURRENCIES),
            payment_method: methodArb,
            capture_method: fc.constantFrom("automatic" as const, "manual" as const),
          },
          { requiredKeys: ["op"] },
        ),
      },
      { weight: 2, arbitrary: fc.record({ op: fc.constant("capture" as const), amount: amountArb }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant("refund" as const), amount: amountArb }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("resume" as const) }) },
    ),
    fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: faultArb }),
  )
  .map(([op, fault]) => (fault ? { ...op, fault } : op));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let requestSeq = 0;

/** Refusals are expected; `internal_error` or anything that is not a DomainError is a bug. */
async function expectDomainOutcome(p: Promise<unknown>): Promise<"ok" | "unanswered" | "refused"> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (!(e instanceof DomainError) || e.code === "internal_error") throw e;
    return e.code === "psp_unavailable" ? "unanswered" : "refused";
  }
}

async function armFault(f: Fault) {
  if (f.kind === "latency") await h.faults({ latencyMs: f.ms });
  else if (f.kind === "fail5xx") await h.faults({ fail5xx: { count: 1, ...(f.path ? { path: f.path } : {}) } });
  else await h.faults({ timeoutAfterCommit: { count: 1, ...(f.path ? { path: f.path } : {}), hangMs: HANG_MS } });
}

describe("payment lifecycle properties (orchestrator + ledger + PostgreSQL + simulator with faults)", () => {
  it("random operations, updates and PSP faults: the PSP charges at most once, exactly what we recorded; ledger balanced; nothing in flight", { timeout: Math.max(60_000, RUNS * 1_000) }, async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx({ timeoutMs: CLIENT_TIMEOUT_MS });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 10_000 })),
        fc.constantFrom(...CURRENCIES),
        fc.constantFrom("manual" as const, "automatic" as const),
        fc.option(methodArb, { nil: undefined }),
        fc.array(opArb, { minLength: 1, maxLength: 8 }),
        async (amount, currency, captureMethod, paymentMethod, ops) => {
          const pi = await createPaymentIntent(ctx, merchantId, { amount, currency, capture_method: captureMethod, ...(paymentMethod ? { payment_method: paymentMethod } : {}) });
          const id = pi.id;
          // Requests that ended without an answer, each repeatable as the merchant's retry with the same key.
          let unanswered: (() => Promise<unknown>)[] = [];
          const retryUnanswered = async () => {
            const still: (() => Promise<unknown>)[] = [];
            for (const retry of unanswered) if ((await expectDomainOutcome(retry())) === "unanswered") still.push(retry);
            unanswered = still;
          };
          try {
            for (const step of ops) {
              if (step.fault) await armFault(step.fault);
              let call: () => Promise<unknown>;
              switch (step.op) {
                case "confirm":
                  call = () => confirmPaymentIntent(ctx, merchantId, id, step.method ? { payment_method: step.method } : {});
                  break;
                case "update": {
                  const { op: _op, fault: _fault, ...changes } = step;
                  call = () => updatePaymentIntentDetails(ctx, merchantId, id, changes);
                  break;
                }
                case "capture":
                  call = () => capturePaymentIntent(ctx, merchantId, id, step.amount === null ? {} : { amount_to_capture: step.amount });
                  break;
                case "cancel":
                  call = () => cancelPaymentIntent(ctx, merchantId, id, {});
                  break;
                case "refund": {
                  const requestKey = `prop_${++requestSeq}`;
                  const input = { payment_intent: id, ...(step.amount === null ? {} : { amount: step.amount }) };
                  call = () => createRefund(ctx, merchantId, input, { requestKey });
                  break;
                }
                case "resume":
                  await retryUnanswered();
                  if (step.fault?.kind === "latency") await h.faults({ latencyMs: null });
                  continue;
              }
              if ((await expectDomainOutcome(call())) === "unanswered") {
                // The same request retried resumes its recorded attempt (confirm/capture/cancel resume by status).
                const resumeOf: Record<string, () => Promise<unknown>> = {
                  confirm: () => confirmPaymentIntent(ctx, merchantId, id, {}, { resume: true }),
                  capture: () => capturePaymentIntent(ctx, merchantId, id, {}, { resume: true }),
                  cancel: () => cancelPaymentIntent(ctx, merchantId, id, {}, { resume: true }),
                };
                unanswered.push(resumeOf[step.op] ?? call);
              }
              if (step.fault?.kind === "latency") await h.faults({ latencyMs: null });
            }
          } finally {
            await h.clearFaults();
          }
          // Resolve what is still in flight: the PSP answers again, late answers land, retries replay.
          for (let round = 0; unanswered.length > 0 && round < 20; round++) {
            if (round > 0) await sleep(HANG_MS);
            await retryUnanswered();
          }
          expect(unanswered).toHaveLength(0);

          const db = h.database.db;
          const row = (await findPaymentIntent(db, merchantId, id))!;
          const t = await paymentLedgerTotals(db, merchantId, id);
          expect(IN_FLIGHT_STATUSES).not.toContain(row.status);
          const pendingAttempts = await db.select().from(paymentAttempts).where(and(eq(paymentAttempts.paymentIntentId, id), eq(paymentAttempts.status, "pending")));
          expect(pendingAttempts).toEqual([]);
          const pendingRefunds = await db.select().from(refunds).where(and(eq(refunds.paymentIntentId, id), inArray(refunds.status, ["pending"])));
          expect(pendingRefunds).toEqual([]);

          // Our books agree with themselves.
          expect(t.captured).toBeLessThanOrEqual(t.authorized);
          expect(t.refunded).toBeLessThanOrEqual(t.captured);
          expect(t.captured).toBe(row.amountReceived);
          expect(t.refunded).toBe(row.amountRefunded);
          expect(t.held).toBe(row.amountCapturable);
          expect(row.amountRefunded <= row.amountReceived && row.amountReceived <= row.amount).toBe(true);

          // ... and with the PSP: one charge at most, for exactly what we recorded. The simulator is
          // honest, so the compare step must have found nothing to report.
          const charges = (await h.stats()).chargesByMetadata[id] ?? 0;
          expect(charges).toBe(t.authorized > 0n ? 1 : 0);
          if (row.pspPaymentIntentId) {
            const atPsp = await psp.paymentIntents.retrieve(row.pspPaymentIntentId);
            expect([atPsp.amount_received, atPsp.amount_capturable]).toEqual([Number(row.amountReceived), Number(row.amountCapturable)]);
            if (t.authorized > 0n) expect([atPsp.amount, atPsp.currency]).toEqual([Number(row.amount), row.currency]);
            const pspRefunds = await psp.refunds.list({ payment_intent: row.pspPaymentIntentId, limit: 100 });
            expect(pspRefunds.data.reduce((sum, r) => sum + r.amount, 0)).toBe(Number(row.amountRefunded));
          }
          expect(await db.select().from(financeExceptions).where(eq(financeExceptions.paymentIntentId, id))).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
    const tb = await trialBalance(h.database.db, { merchantId });
    expect(tb.balanced).toBe(true);
    expect(tb.unbalancedJournals).toEqual([]);
    const stats = await h.stats();
    expect(stats.duplicateChargeCount).toBe(0);
    // The faults really happened (they fire only when an operation reaches the PSP).
    if (RUNS >= 50) expect(stats.faults.fail5xx + stats.faults.timeoutAfterCommit).toBeGreaterThan(0);
    if (process.env.PROPERTY_RUNS) console.log("property faults", JSON.stringify(stats.faults), "charges", stats.authorizations, "declines", stats.declines);
  });
});
