import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "@/server/errors";
import { paymentLedgerTotals, trialBalance } from "@/server/ledger";
import { createHarness, type Harness } from "@/tests/harness";
import { createRefund } from "../refunds/service";
import { cancelPaymentIntent, capturePaymentIntent, confirmPaymentIntent, createPaymentIntent } from "./orchestrator";
import { findPaymentIntent } from "./repository";
import { IN_FLIGHT_STATUSES } from "./state-machine";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

type Op =
  | { op: "confirm"; method: "pm_card_visa" | "pm_card_chargeDeclined" }
  | { op: "capture"; amount: number | null }
  | { op: "cancel" }
  | { op: "refund"; amount: number | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("confirm" as const), method: fc.constantFrom("pm_card_visa" as const, "pm_card_chargeDeclined" as const) }),
  fc.record({ op: fc.constant("capture" as const), amount: fc.option(fc.integer({ min: 1, max: 12_000 }), { nil: null }) }),
  fc.record({ op: fc.constant("cancel" as const) }),
  fc.record({ op: fc.constant("refund" as const), amount: fc.option(fc.integer({ min: 1, max: 12_000 }), { nil: null }) }),
);

describe("payment lifecycle properties (orchestrator + ledger + PostgreSQL + simulator)", () => {
  it("random operation sequences keep the ledger balanced and amounts within their bounds", async () => {
    const { merchantId } = await h.newMerchant();
    const ctx = h.ctx();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 10_000 })),
        fc.constantFrom("usd", "jpy", "kwd"),
        fc.constantFrom("manual" as const, "automatic" as const),
        fc.array(opArb, { minLength: 1, maxLength: 7 }),
        async (amount, currency, captureMethod, ops) => {
          const pi = await createPaymentIntent(ctx, merchantId, { amount, currency, capture_method: captureMethod });
          for (const step of ops) {
            try {
              if (step.op === "confirm") await confirmPaymentIntent(ctx, merchantId, pi.id, { payment_method: step.method });
              else if (step.op === "capture") await capturePaymentIntent(ctx, merchantId, pi.id, step.amount === null ? {} : { amount_to_capture: step.amount });
              else if (step.op === "cancel") await cancelPaymentIntent(ctx, merchantId, pi.id, {});
              else await createRefund(ctx, merchantId, { payment_intent: pi.id, ...(step.amount === null ? {} : { amount: step.amount }) });
            } catch (e) {
              if (!(e instanceof DomainError)) throw e; // refusals are fine; anything else is a bug
            }
          }
          const row = (await findPaymentIntent(h.database.db, merchantId, pi.id))!;
          const t = await paymentLedgerTotals(h.database.db, merchantId, pi.id);
          // The simulator answers every call, so nothing may be left in flight (a PSP result that
          // could not be applied would leave the payment stuck in authorizing/capturing).
          expect(IN_FLIGHT_STATUSES).not.toContain(row.status);
          expect(t.captured).toBeLessThanOrEqual(t.authorized);
          expect(t.refunded).toBeLessThanOrEqual(t.captured);
          expect(t.captured).toBe(row.amountReceived);
          expect(t.refunded).toBe(row.amountRefunded);
          expect(t.held).toBe(row.amountCapturable);
          expect(row.amountRefunded <= row.amountReceived && row.amountReceived <= row.amount).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
    const tb = await trialBalance(h.database.db, { merchantId });
    expect(tb.balanced).toBe(true);
    expect(tb.unbalancedJournals).toEqual([]);
  });
});
