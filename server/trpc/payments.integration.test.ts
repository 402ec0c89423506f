import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { startApiServer } from "@/tests/api-server";
import { failInsertsFor } from "@/tests/db-faults";
import { createHarness, type Harness } from "@/tests/harness";
import { captureLogs } from "@/tests/log-capture";
import { rejectionOf } from "@/tests/rejection";
import { callerFor, newMember, sessionCookie } from "@/tests/members";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

/** The merchant's owner, signed in. */
const ownerOf = async (merchantId: string) => callerFor(h, (await newMember(h, merchantId, "owner")).session);

const trpcError = (p: Promise<unknown>) => rejectionOf(p, TRPCError);

describe("tRPC payments procedures (same services, same idempotency as REST)", () => {
  it("creates and confirms once per key and replays the stored result", async () => {
    const { merchantId } = await h.newMerchant();
    const api = await ownerOf(merchantId);
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
    const { merchantId } = await h.newMerchant();
    const api = await ownerOf(merchantId);
    const pi = (await api.payments.create({ idempotencyKey: "x1", amount: 300, currency: "usd" })) as { id: string };
    const declined = await trpcError(api.payments.confirm({ idempotencyKey: "x2", id: pi.id, payment_method: "pm_card_chargeDeclined" }));
    expect(declined.code).toBe("PAYMENT_REQUIRED");
    // The replay of a stored decline is the same error.
    const replayed = await trpcError(api.payments.confirm({ idempotencyKey: "x2", id: pi.id, payment_method: "pm_card_chargeDeclined" }));
    expect(replayed.code).toBe("PAYMENT_REQUIRED");
    expect(replayed.message).toBe(declined.message);
    expect((await trpcError(api.payments.capture({ idempotencyKey: "x3", id: pi.id }))).code).toBe("BAD_REQUEST");
    expect((await trpcError(api.payments.get({ id: "pi_missing" }))).code).toBe("NOT_FOUND");
    expect((await trpcError(callerFor(h, null).payments.list({ limit: 5 }))).code).toBe("UNAUTHORIZED");
  });
});

describe("tRPC errors are masked like the REST API's", () => {
  const CARD = "4242424242424242";

  it("an internal error reaches the caller as a generic message with the request id; its details only in the log", async () => {
    const { merchantId } = await h.newMerchant();
    await failInsertsFor(h.database.db, "payment_intents", merchantId);
    const logs = captureLogs();
    try {
      const err = await trpcError((await ownerOf(merchantId)).payments.create({ idempotencyKey: "i1", amount: 100, currency: "usd", description: CARD }));
      expect(err.code).toBe("INTERNAL_SERVER_ERROR");
      expect(err.message).toBe("An unexpected error occurred. The request may be retried with the same Idempotency-Key. (request req_trpc_test)");
      expect(JSON.stringify({ message: err.message, cause: err.cause?.message })).not.toMatch(/4242|insert|Failed query/);
      expect(logs.text()).toContain('"sqlState":"P0001"');
      expect(logs.text()).toContain("req_trpc_test");
      expect(logs.text()).not.toContain(CARD);
    } finally {
      logs.restore();
    }
  });

  it("over HTTP: the same status codes as REST, the REST error code, the request id, and no SQL, parameters or stack", async () => {
    const { merchantId } = await h.newMerchant();
    await failInsertsFor(h.database.db, "payment_intents", merchantId);
    const cookie = await sessionCookie((await newMember(h, merchantId, "owner")).session.user);
    const server = await startApiServer();
    const post = async (path: string, input: unknown) => {
      const res = await fetch(`${server.url}/api/trpc/${path}`, {
        method: "POST",
        headers: { cookie, origin: server.url, "content-type": "application/json" },
        body: JSON.stringify({ json: input }),
      });
      return { status: res.status, text: await res.text(), requestId: res.headers.get("request-id") };
    };
    try {
      const failed = await post("payments.create", { idempotencyKey: "h1", amount: 100, currency: "usd", description: CARD });
      expect(failed.status).toBe(500);
      expect(failed.text).not.toMatch(/4242|insert|Failed query|stack/);
      const body = JSON.parse(failed.text).error.json;
      expect(body.data).toMatchObject({ code: "INTERNAL_SERVER_ERROR", httpStatus: 500, domainCode: "internal_error", requestId: failed.requestId });
      expect(body.message).toContain(failed.requestId);

      const res = await fetch(`${server.url}/api/trpc/payments.get?input=${encodeURIComponent(JSON.stringify({ json: { id: "pi_missing" } }))}`, {
        headers: { cookie },
      });
      const missing = { status: res.status, text: await res.text() };
      expect(missing.status).toBe(404);
      expect(JSON.parse(missing.text).error.json.data).toMatchObject({ domainCode: "resource_missing", httpStatus: 404 });

      const nul = await post("payments.create", { idempotencyKey: "h2", amount: 100, currency: "usd", description: "a\u0000b" });
      expect(nul.status).toBe(400);
      expect(JSON.parse(nul.text).error.json.data).toMatchObject({ domainCode: "parameter_invalid" });
    } finally {
      await server.close();
    }
  });

  it("idempotentMutation keeps the procedure's output type for the client", async () => {
    const { merchantId } = await h.newMerchant();
    const pi = await (await ownerOf(merchantId)).payments.create({ idempotencyKey: "typed", amount: 100, currency: "usd" });
    expectTypeOf(pi.id).toEqualTypeOf<string>();
    expectTypeOf(pi.amount).toEqualTypeOf<number>();
    expect(pi.amount).toBe(100);
  });
});
