import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import Stripe from "stripe";
import { createDatabase } from "../db/client";
import { E2E_DATABASE_URL, E2E_DEMO_PASSWORD, E2E_SECRET_KEY } from "../playwright.config";
import { createMerchant } from "../server/merchants/service";

/** The dashboard per role, against the production server and its seeded demo users. */

const stripeFor = (baseURL: string) => {
  const url = new URL(baseURL);
  return new Stripe(E2E_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 1 });
};

async function signIn(page: Page, email: string, password = E2E_DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (password === E2E_DEMO_PASSWORD) await page.waitForURL(/\/payments$/);
}

async function noSeriousAxeViolations(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

async function screenshots(page: Page, name: string) {
  for (const [label, size] of [["laptop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `e2e/screenshots/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("signed out: / and dashboard pages go to /login; a wrong password is refused", async ({ page }) => {
  await page.goto("/payments");
  await expect(page).toHaveURL(/\/login$/);
  await noSeriousAxeViolations(page);
  await screenshots(page, "login");
  await signIn(page, "owner@demo.payrail.test", "not the password");
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  const csp = (await page.request.get("/login")).headers()["content-security-policy"] ?? "";
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).toContain("frame-ancestors 'none'");
});

test("the owner finds a payment, refunds part of it, and sees the refund and the ledger journal", async ({ page, baseURL }) => {
  const stripe = stripeFor(baseURL!);
  const pi = await stripe.paymentIntents.create({ amount: 2_000, currency: "usd", payment_method: "pm_card_visa", confirm: true, receipt_email: "buyer@example.com", metadata: { order_id: "ord_e2e_1" } });
  await signIn(page, "owner@demo.payrail.test");
  await expect(page).toHaveURL(/\/payments$/);
  for (const name of ["Payments", "Ledger"]) await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search payments" }).fill("ord_e2e_1");
  await expect(page).toHaveURL(/q=ord_e2e_1/);
  await expect(page.getByRole("row")).toHaveCount(2); // header + the one payment
  await noSeriousAxeViolations(page);
  await screenshots(page, "payments-list");
  await page.getByRole("link", { name: new RegExp(`payment ${pi.id}`) }).click();
  await expect(page.getByRole("heading", { name: /\$20\.00/ })).toBeVisible();

  await page.getByRole("button", { name: "Refund" }).click();
  const dialog = page.getByRole("alertdialog");
  await dialog.getByLabel("Amount").fill("5.00");
  await screenshots(page, "refund-dialog");
  await dialog.getByRole("button", { name: "Refund" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("list", { name: "Refunds" })).toContainText("$5.00");
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText("Ledger journal: refund");
  await expect(page.getByRole("heading", { name: /Partially refunded/ })).toBeVisible();
  await noSeriousAxeViolations(page);
  await screenshots(page, "payment-detail");
  expect((await stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => r.amount)).toEqual([500]);

  await page.getByRole("link", { name: "Ledger", exact: true }).click();
  await expect(page.getByText("Balanced: debits equal credits in every currency.")).toBeVisible();
  await noSeriousAxeViolations(page);
  await screenshots(page, "ledger");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test("support sees payments but no Refund button, and the server refuses the refund procedure", async ({ page, baseURL }) => {
  const pi = await stripeFor(baseURL!).paymentIntents.create({ amount: 1_500, currency: "usd", payment_method: "pm_card_visa", confirm: true });
  await signIn(page, "support@demo.payrail.test");
  await expect(page).toHaveURL(/\/payments$/);
  await expect(page.getByRole("link", { name: "Ledger", exact: true })).toHaveCount(0);
  await page.goto(`/payments/${pi.id}`);
  await expect(page.getByRole("heading", { name: /\$15\.00/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Refund" })).toHaveCount(0);
  const res = await page.request.post("/api/trpc/payments.refund", {
    headers: { origin: new URL(baseURL!).origin, "content-type": "application/json" },
    data: { json: { idempotencyKey: "support-e2e", payment_intent: pi.id, amount: 100 } },
  });
  expect(res.status()).toBe(403);
  const crossSite = await page.request.post("/api/trpc/payments.refund", {
    headers: { origin: "https://evil.example", "content-type": "application/json" },
    data: { json: { idempotencyKey: "support-e2e-2", payment_intent: pi.id, amount: 100 } },
  });
  expect(crossSite.status()).toBe(403);
});

test("the viewer sees payments without secrets; another merchant's payment is not found by URL", async ({ page, baseURL }) => {
  const pi = await stripeFor(baseURL!).paymentIntents.create({ amount: 700, currency: "eur", payment_method: "pm_card_visa", confirm: true });
  await signIn(page, "viewer@demo.payrail.test");
  await page.goto(`/payments/${pi.id}`);
  await expect(page.getByRole("heading", { name: /€7\.00/ })).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain(E2E_SECRET_KEY);
  expect(html).not.toMatch(/_secret_|sk_test_|whsec_/);
  const api = await page.request.get(`/api/trpc/payments.get?input=${encodeURIComponent(JSON.stringify({ json: { id: pi.id } }))}`);
  expect(await api.text()).not.toMatch(/_secret_/);
  for (const b of ["Refund", "Capture", "Cancel payment"]) await expect(page.getByRole("button", { name: b })).toHaveCount(0);

});

test("a merchant never sees another merchant's payment by URL", async ({ page, baseURL }) => {
  const database = createDatabase(E2E_DATABASE_URL, { max: 1 });
  const other = await createMerchant(database.db, { name: "Other Shop" }).finally(() => database.close());
  const url = new URL(baseURL!);
  const theirs = await new Stripe(other.secretKey, { host: url.hostname, port: Number(url.port), protocol: "http" }).paymentIntents.create({ amount: 999, currency: "usd" });
  await signIn(page, "owner@demo.payrail.test");
  await expect(page).toHaveURL(/\/payments$/);
  const res = await page.goto(`/payments/${theirs.id}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByText("$9.99")).toHaveCount(0);
  await page.goto(`/payments?q=${theirs.id}`);
  await expect(page.getByText("No payments match these filters")).toBeVisible();
  await screenshots(page, "payments-empty-search");
});
