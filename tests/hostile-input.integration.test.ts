import { and, count, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, idempotencyKeys, paymentIntents } from "@/db/schema";
import { purgeExpiredIdempotencyKeys } from "@/server/idempotency/purge";
import { startApiHarness, type ApiServer } from "./api-harness";
import { failInsertsFor } from "./db-faults";
import type { Harness } from "./harness";
import { captureLogs } from "./log-capture";

/** A hostile or careless client against the merchant API: every answer Stripe-shaped, nothing stored, nothing leaked. */
let h: Harness;
let api: ApiServer;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ h, api, close } = await startApiHarness({ PSP_TIMEOUT_MS: "300" }));
});
afterAll(() => close());

const CARD = "4242424242424242";

async function call(secretKey: string, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
  const text = await res.text();
  let json: { error?: { type: string; code: string; message: string; param?: string } } & Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* asserted by the caller through json.error being undefined */
  }
  return { status: res.status, text, json, requestId: res.headers.get("request-id") };
}
const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });

const rowsOf = async (merchantId: string) => {
  const [pis] = await h.database.db.select({ n: count() }).from(paymentIntents).where(eq(paymentIntents.merchantId, merchantId));
  const [evs] = await h.database.db.select({ n: count() }).from(events).where(eq(events.merchantId, merchantId));
  const [keys] = await h.database.db.select({ n: count() }).from(idempotencyKeys).where(eq(idempotencyKeys.merchantId, merchantId));
  return { intents: pis!.n, events: evs!.n, keys: keys!.n };
};

describe("request data never reaches the log", () => {
  it("a database error is logged with class, SQL state and request id, never the query parameters or the body", async () => {
    const { merchantId, secretKey } = await h.newMerchant();
    await failInsertsFor(h.database.db, "payment_intents", merchantId);
    const logs = captureLogs();
    try {
      const r = await call(secretKey, "POST", "/v1/payment_intents", `amount=1000&currency=usd&description=card+${CARD}&metadata[pan]=${CARD}`);
      expect(r.status).toBe(500);
      expect(r.json.error).toMatchObject({ type: "api_error", code: "internal_error" });
      expect(r.json.error!.message).toContain(r.requestId!);
      expect(r.text).not.toContain(CARD);
      expect(r.text).not.toMatch(/insert|Failed query/i);
      const text = logs.text();
      expect(text).toContain(r.requestId!);
      expect(text).toContain('"sqlState":"P0001"');
      expect(text).toContain("DrizzleQueryError");
      expect(text).not.toContain(CARD);
      expect(text).not.toMatch(/Failed query|params:/);
    } finally {
      logs.restore();
    }
  });
});

describe("strings PostgreSQL cannot store and absurd bodies are Stripe-shaped 4xx that change nothing", () => {
  it("NUL bytes and lone surrogates anywhere: body strings, metadata keys and values, ids in the path, cursors and filters", async () => {
    const { merchantId, secretKey } = await h.newMerchant();
    const cases: [string, string, string | undefined, Record<string, string>?, number?][] = [
      ["POST", "/v1/payment_intents", "amount=100&currency=usd&description=a%00b"],
      ["POST", "/v1/payment_intents", "amount=100&currency=usd&metadata[k%00]=v"],
      ["POST", "/v1/payment_intents", json({ amount: 100, currency: "usd", description: "x\ud800y" }).body, json({}).headers],
      ["POST", "/v1/payment_intents", json({ amount: 100, currency: "usd", metadata: { order: "\udc00" } }).body, json({}).headers],
      ["POST", "/v1/payment_intents", json({ amount: 100, currency: "usd", metadata: { "\u0000": "v" } }).body, json({}).headers],
      ["GET", "/v1/payment_intents/pi_%00", undefined, {}, 404],
      ["GET", "/v1/payment_intents/pi_%ff", undefined, {}, 404],
      ["GET", "/v1/payment_intents/pi_%ED%A0%80", undefined, {}, 404],
      ["POST", "/v1/payment_intents/pi_%00/confirm", "payment_method=pm_card_visa", {}, 404],
      ["GET", "/v1/refunds/re_%00", undefined, {}, 404],
      ["GET", "/v1/events/evt_%ff", undefined, {}, 404],
      ["GET", "/v1/payment_intents?starting_after=pi_%00", undefined],
      ["GET", "/v1/payment_intents?ending_before=%00", undefined],
      ["GET", "/v1/payment_intents?ending_before=%ED%A0%80", undefined, {}, 404], // decoded as U+FFFD: names no object
      ["GET", "/v1/refunds?payment_intent=pi_%00", undefined],
      ["POST", "/v1/refunds", "payment_intent=pi_%00&amount=1"],
    ];
    for (const [method, path, body, headers, status] of cases) {
      const r = await call(secretKey, method, path, body, headers);
      expect({ path, body, status: r.status }).toEqual({ path, body, status: status ?? 400 });
      expect(r.json.error?.type).toBe("invalid_request_error");
    }
    expect(await rowsOf(merchantId)).toEqual({ intents: 0, events: 0, keys: 0 });
  });

  it("100,000 levels of form or JSON nesting are a 400", async () => {
    const { merchantId, secretKey } = await h.newMerchant();
    const form = await call(secretKey, "POST", "/v1/payment_intents", `amount=1&currency=usd&metadata${"[a]".repeat(100_000)}=1`, { "idempotency-key": "deep-form" });
    expect(form.status).toBe(400);
    expect(form.json.error).toMatchObject({ type: "invalid_request_error", code: "parameter_invalid" });
    const deep = `{"amount":1,"currency":"usd","metadata":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
    const body = await call(secretKey, "POST", "/v1/payment_intents", deep, { "content-type": "application/json", "idempotency-key": "deep-json" });
    expect(body.status).toBe(400);
    expect(body.json.error).toMatchObject({ type: "invalid_request_error", code: "parameter_invalid", param: "metadata" });
    expect(await rowsOf(merchantId)).toEqual({ intents: 0, events: 0, keys: 0 });
  });

  it("a body over 1 MB is refused with 413 before parsing, declared or streamed", async () => {
    const { merchantId, secretKey } = await h.newMerchant();
    const big = `amount=100&currency=usd&description=${"a".repeat(1_100_000)}`;
    const declared = await call(secretKey, "POST", "/v1/payment_intents", big);
    expect(declared.status).toBe(413);
    expect(declared.json.error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode("a".repeat(100_000)));
        c.close();
      },
    });
    const streamed = await fetch(`${api.url}/v1/payment_intents`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await rowsOf(merchantId)).toEqual({ intents: 0, events: 0, keys: 0 });
  });

  it("return_url must be https (http only on localhost); metadata keys may not be empty or __proto__ and keep Stripe's limits", async () => {
    const { merchantId, secretKey } = await h.newMerchant();
    const refused: [string, string][] = [
      ["amount=100&currency=usd&return_url=javascript:alert(1)", "return_url"],
      ["amount=100&currency=usd&return_url=http://shop.example/done", "return_url"],
      ["amount=100&currency=usd&return_url=data:text/html,x", "return_url"],
      ["amount=100&currency=usd&metadata[__proto__]=x", "metadata"],
      [`amount=100&currency=usd&metadata[${"k".repeat(41)}]=x`, "metadata"],
      [`amount=100&currency=usd&metadata[k]=${"v".repeat(501)}`, "metadata"],
      [`amount=100&currency=usd&${Array.from({ length: 51 }, (_, i) => `metadata[k${i}]=v`).join("&")}`, "metadata"],
    ];
    for (const [body, param] of refused) {
      const r = await call(secretKey, "POST", "/v1/payment_intents", body);
      expect({ body: body.slice(0, 60), status: r.status }).toEqual({ body: body.slice(0, 60), status: 400 });
      expect(r.json.error?.param ?? "").toContain(param);
    }
    for (const body of [
      json({ amount: 100, currency: "usd", metadata: { "": "x" } }).body,
      '{"amount":100,"currency":"usd","metadata":{"__proto__":{"x":"1"}}}',
    ]) {
      const r = await call(secretKey, "POST", "/v1/payment_intents", body, { "content-type": "application/json" });
      expect(r.status).toBe(400);
      expect(r.json.error?.param ?? "").toContain("metadata");
    }
    expect(await rowsOf(merchantId)).toEqual({ intents: 0, events: 0, keys: 0 });
    for (const url of ["https://shop.example/done", "http://localhost:3000/done", "http://127.0.0.1/x"]) {
      const ok = await call(secretKey, "POST", "/v1/payment_intents", `amount=100&currency=usd&return_url=${encodeURIComponent(url)}&metadata[constructor]=c`);
      expect(ok.status).toBe(200);
      expect(ok.json.metadata).toEqual({ constructor: "c" });
    }
  });
});

describe("answers a Stripe client can act on", () => {
  it("a 502 carries a stable message, not the PSP's raw error text", async () => {
    const { secretKey } = await h.newMerchant();
    const pi = await call(secretKey, "POST", "/v1/payment_intents", "amount=700&currency=usd&payment_method=pm_card_visa");
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 1_500 } });
    const logs = captureLogs();
    try {
      const r = await call(secretKey, "POST", `/v1/payment_intents/${pi.json.id}/confirm`, "", { "idempotency-key": "psp-down" });
      expect(r.status).toBe(502);
      expect(Object.keys(r.json.error!).sort()).toEqual(["code", "message", "type"]);
      expect(r.json.error).toMatchObject({ type: "api_error", code: "psp_unavailable" });
      expect(r.json.error!.message).toBe(
        `The payment processor did not answer for ${pi.json.id}; the attempt is recorded and will be resolved. Retry with the same Idempotency-Key.`,
      );
      expect(logs.text()).toContain('"pspReason"');
    } finally {
      logs.restore();
      await h.clearFaults();
    }
  });

  it("updating the amount after authorization names amount, not the payment method", async () => {
    const { secretKey } = await h.newMerchant();
    const pi = await call(secretKey, "POST", "/v1/payment_intents", "amount=900&currency=usd&payment_method=pm_card_visa&confirm=true&capture_method=manual");
    expect(pi.json.status).toBe("requires_capture");
    const r = await call(secretKey, "POST", `/v1/payment_intents/${pi.json.id}`, "amount=500");
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: "payment_intent_unexpected_state", param: "amount" });
    expect(r.json.error!.message).toBe(`You cannot update the amount of ${pi.json.id} because it has a status of authorized.`);
  });

  it("starting_after or ending_before naming no object is a 404 resource_missing", async () => {
    const { secretKey } = await h.newMerchant();
    const stripe = new Stripe(secretKey, { host: "127.0.0.1", port: api.port, protocol: "http", maxNetworkRetries: 0 });
    for (const list of [
      () => stripe.paymentIntents.list({ starting_after: "pi_nope" }),
      () => stripe.refunds.list({ ending_before: "re_nope" }),
      () => stripe.events.list({ starting_after: "evt_nope" }),
    ]) {
      const err = (await list().catch((e: unknown) => e)) as Stripe.errors.StripeError;
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect({ status: err.statusCode, code: err.code }).toEqual({ status: 404, code: "resource_missing" });
    }
  });

  it("an unknown /v1 path or method is Stripe's JSON 404 naming both", async () => {
    const { secretKey } = await h.newMerchant();
    for (const [method, path] of [
      ["POST", "/v1/customers"],
      ["GET", "/v1/payment_intents/pi_x/confirm"],
      ["DELETE", "/v1/payment_intents"],
      ["PUT", "/v1/refunds/re_x"],
    ] as const) {
      const r = await call(secretKey, method, path, method === "GET" ? undefined : "");
      expect(r.status).toBe(404);
      expect(r.json.error).toMatchObject({ type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` });
    }
  });

  it("a live key is refused while the PSP is simulated", async () => {
    const r = await call("sk_live_abcdef", "GET", "/v1/payment_intents");
    expect(r.status).toBe(401);
    expect(r.json.error!.message).toMatch(/simulated PSP/);
  });
});

describe("idempotency rows always end", () => {
  it("a keyless request stores no idempotency row, and two identical keyless creates are two intents", async () => {
    const { merchantId, secretKey } = await h.newMerchant();
    const a = await call(secretKey, "POST", "/v1/payment_intents", "amount=100&currency=usd");
    const b = await call(secretKey, "POST", "/v1/payment_intents", "amount=100&currency=usd");
    const declined = await call(secretKey, "POST", "/v1/payment_intents", "amount=100&currency=usd&payment_method=pm_card_chargeDeclined&confirm=true");
    expect([a.status, b.status, declined.status]).toEqual([200, 200, 402]);
    expect(a.json.id).not.toBe(b.json.id);
    expect(await rowsOf(merchantId)).toMatchObject({ intents: 3, keys: 0 });
  });

  it("a 500 or 502 leaves the key resumable (the retry completes it), and the purge removes keys past retention in every state", async () => {
    const { merchantId, secretKey } = await h.newMerchant();
    const pi = await call(secretKey, "POST", "/v1/payment_intents", "amount=800&currency=usd&payment_method=pm_card_visa", { "idempotency-key": "create-1" });
    await h.faults({ timeoutAfterCommit: { count: 1, path: "/v1/payment_intents", hangMs: 1_500 } });
    const failed = await call(secretKey, "POST", `/v1/payment_intents/${pi.json.id}/confirm`, "", { "idempotency-key": "confirm-1" });
    await h.clearFaults();
    expect(failed.status).toBe(502);
    const state = async (key: string) =>
      (await h.database.db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, key))))[0];
    expect(await state("confirm-1")).toMatchObject({ status: "resumable", lockedAt: null });
    const retried = await call(secretKey, "POST", `/v1/payment_intents/${pi.json.id}/confirm`, "", { "idempotency-key": "confirm-1" });
    expect(retried.status).toBe(200);
    expect(await state("confirm-1")).toMatchObject({ status: "completed", responseStatus: 200 });

    const other = await h.newMerchant();
    await failInsertsFor(h.database.db, "payment_intents", other.merchantId);
    const broken = await call(other.secretKey, "POST", "/v1/payment_intents", "amount=100&currency=usd", { "idempotency-key": "broken-1" });
    expect(broken.status).toBe(500);
    const brokenRow = (await h.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.merchantId, other.merchantId)))[0];
    expect(brokenRow).toMatchObject({ key: "broken-1", status: "resumable" });

    // A day later every one of these rows is gone, whatever its state.
    await call(secretKey, "POST", "/v1/payment_intents", "amount=100&currency=usd", { "idempotency-key": "resumable-old" });
    await h.database.db.update(idempotencyKeys).set({ status: "resumable" }).where(and(eq(idempotencyKeys.merchantId, merchantId), eq(idempotencyKeys.key, "resumable-old")));
    await purgeExpiredIdempotencyKeys(h.database.db, new Date(Date.now() + 25 * 3600_000));
    expect((await rowsOf(merchantId)).keys).toBe(0);
    expect((await rowsOf(other.merchantId)).keys).toBe(0);
  });
});
