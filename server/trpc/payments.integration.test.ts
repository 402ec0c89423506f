import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/tests/harness";
import { rejectionOf } from "@/tests/rejection";
import { createCaller } from "./root";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const caller = (apiKey: string | null) => createCaller({ ...h.ctx(), apiKey });

const trpcError = (p: Promise<unknown>) => rejectionOf(p, TRPCError);

describe("tRPC payments procedures (same services, same idempotency as REST)", () => {
  it("creates and confirms once per key and replays the stored result", async () => {
    const { secretKey } = await h.newMerchant();
    const api = caller(secretKey);
    const pi = (await api.payments.create({ idempotencyKey: "c1", amount: 1_800, currency: "usd", capture_method: "manual" })) as { id: string };
    const again = (await api.payments.create({ idempotencyKey: "c1", amount: 1_800, currency: "usd", capture_method: "manual" })) as { id: string };
    expect(again.id).toBe(pi.id);

    const [a, b] = await Promise.all([
      api.payments.confirm({ idempotencyKey: "k1", id: pi.id, payment_method: "pm_card_visa" }).catch((e: unknown) => e),
      api.payments.confirm({ idempotencyKey: "k1", id: pi.id, payment_method: "pm_card_visa" }).catch((e: unknown) => e),
    ]);
    const statuses = [a, b].map((r) => (r instanceof TRPCError ? r.code : (r as { status: string }).status));
    expect(statuses.filter((s) => s === "requires_capture").length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === "requires_capture" || s === "CONFLICT")).toBe(true);
    expect((await h.stats()).chargesByMetadata[pi.id]).toBe(1);

    const reused = await trpcError(api.payments.create({ idempotencyKey: "c1", amount: 1_801, currency: "usd" }));
    expect(reused.code).toBe("BAD_REQUEST");

    const captured = (await api.payments.capture({ idempotencyKey: "cap1", id: pi.id, amount_to_capture: 1_000 })) as { status: string; amount_received: number };
    expect(captured).toMatchObject({ status: "succeeded", amount_received: 1_000 });
    const refund = (await api.payments.refund({ idempotencyKey: "r1", payment_intent: pi.id, amount: 400 })) as { id: string; status: string };
    expect(refund.status).toBe("succeeded");
    expect(((await api.payments.refund({ idempotencyKey: "r1", payment_intent: pi.id, amount: 400 })) as { id: string }).id).toBe(refund.id);
    expect(((await api.payments.get({ id: pi.id })) as { amount_refunded: number }).amount_refunded).toBe(400);
  });

  it("maps domain errors to tRPC codes: decline, wrong state, unknown id, no credentials", async () => {
    const { secretKey } = await h.newMerchant();
    const api = caller(secretKey);
    const pi = (await api.payments.create({ idempotencyKey: "x1", amount: 300, currency: "usd" })) as { id: string };
    const declined = await trpcError(api.payments.confirm({ idempotencyKey: "x2", id: pi.id, payment_method: "pm_card_chargeDeclined" }));
    expect(declined.code).toBe("PAYMENT_REQUIRED");
    // The replay of a stored decline is the same error.
    const replayed = await trpcError(api.payments.confirm({ idempotencyKey: "x2", id: pi.id, payment_method: "pm_card_chargeDeclined" }));
    expect(replayed.code).toBe("PAYMENT_REQUIRED");
    expect(replayed.message).toBe(declined.message);
    expect((await trpcError(api.payments.capture({ idempotencyKey: "x3", id: pi.id }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(api.payments.get({ id: "pi_missing" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(caller(null).payments.list({ limit: 5 }))).code).toBe("UNAUTHORIZED");
  });
});
