import { expect, test } from "@playwright/test";
import { E2E_SECRET_KEY } from "../playwright.config";

/** Next's own routing answers these before any handler runs: checked against the production server. */
const auth = { authorization: `Bearer ${E2E_SECRET_KEY}` };

test("unknown /v1 routes and methods answer Stripe's JSON 404, never Next's HTML page or an empty 405", async ({ request }) => {
  for (const [method, path] of [
    ["POST", "/v1/customers"],
    ["GET", "/v1/nope/deeper"],
    ["DELETE", "/v1/payment_intents"],
    ["GET", "/v1/payment_intents/pi_123/capture"],
  ] as const) {
    const res = await request.fetch(path, { method, headers: auth });
    expect(res.status(), `${method} ${path}`).toBe(404);
    expect(res.headers()["content-type"]).toContain("application/json");
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` });
  }
});

test("a path that is not UTF-8 (pi_%ff) is a JSON 404, not Next's plain-text 500", async ({ request }) => {
  for (const path of ["/v1/payment_intents/pi_%ff", "/v1/payment_intents/pi_%ED%A0%80/confirm", "/v1/refunds/re_%00"]) {
    const res = await request.fetch(path, { method: path.endsWith("confirm") ? "POST" : "GET", headers: auth });
    expect(res.status(), path).toBe(404);
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "resource_missing" });
  }
});

test("a body over 1 MB is a 413 in Stripe's error shape", async ({ request }) => {
  const res = await request.post("/v1/payment_intents", {
    headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
    data: `amount=100&currency=usd&description=${"a".repeat(1_100_000)}`,
  });
  expect(res.status()).toBe(413);
  expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
});

test("every page says the PSP is simulated", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("status")).toContainText("the payment processor is simulated");
});
