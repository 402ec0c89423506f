import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import Stripe from "stripe";
import { E2E_SECRET_KEY } from "../playwright.config";

/**
 * The hosted checkout as a customer uses it: Stripe Elements (the simulator's Stripe.js) in
 * Chromium against `npm start`, with outcomes checked through the merchant API and the PSP.
 */
const SHOTS = "e2e/screenshots";

function api(baseURL: string) {
  const url = new URL(baseURL);
  return new Stripe(E2E_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 1 });
}

async function newSession(baseURL: string, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return api(baseURL).checkout.sessions.create({
    mode: "payment",
    line_items: [
      { price_data: { currency: "usd", unit_amount: 1999, product_data: { name: "Linen shirt" } }, quantity: 2 },
      { price_data: { currency: "usd", unit_amount: 500, product_data: { name: "Gift wrap" } }, quantity: 1 },
    ],
    // The merchant's shop: any page of ours that does not redirect a signed-out visitor stands in for it.
    success_url: `${baseURL}/login?paid={CHECKOUT_SESSION_ID}`,
    cancel_url: `${baseURL}/login?cancelled=1`,
    ...extra,
  });
}

/** The simulator's count of successful charges for one Payrail intent. */
async function pspCharges(baseURL: string, paymentIntent: string): Promise<number> {
  const sim = `http://127.0.0.1:${Number(new URL(baseURL).port) + 1}`;
  const stats = (await (await fetch(`${sim}/_sim/stats?apiKey=sk_test_payrail_simulator`)).json()) as { chargesByMetadata: Record<string, number> };
  return stats.chargesByMetadata[paymentIntent] ?? 0;
}

const card = (page: Page) => page.frameLocator('iframe[title="Secure payment input frame"]');

async function fillCard(page: Page, number: string) {
  const f = card(page);
  await f.getByLabel("Card number").fill(number);
  await f.getByLabel("Expiration date").fill("12 / 34");
  await f.getByLabel("CVC").fill("123");
  await f.getByLabel("Postal code").fill("94107");
}

async function openForm(page: Page, url: string) {
  await page.goto(url);
  await expect(page.getByRole("button", { name: /^Pay \$44\.98$/ })).toBeEnabled();
  await page.getByLabel("Email").fill("ada@example.com");
}

test.describe("hosted checkout", () => {
  test("pays a Checkout Session with 4242: redirect to success_url, session complete and paid, one charge; no card number reaches our origin", async ({ page, baseURL }) => {
    const session = await newSession(baseURL!);
    expect(session.url).toMatch(/\/c\/pay\//);
    const sentToUs: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).origin === new URL(baseURL!).origin) sentToUs.push(`${r.method()} ${r.url()}\n${JSON.stringify(r.headers())}\n${r.postData() ?? ""}`);
    });
    await openForm(page, session.url!);
    await expect(page.getByRole("heading", { name: "Demo Shop" })).toBeVisible();
    await expect(page.getByText("Linen shirt")).toBeVisible();
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
    await fillCard(page, "4242 4242 4242 4242");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${SHOTS}/form-laptop.png`, fullPage: true });
    await page.getByRole("button", { name: /^Pay \$44\.98$/ }).click();
    await page.waitForURL(`${baseURL}/login?paid=${session.id}`);
    const done = await api(baseURL!).checkout.sessions.retrieve(session.id);
    expect(done).toMatchObject({ status: "complete", payment_status: "paid", amount_total: 4498, customer_details: { email: "ada@example.com" } });
    expect(await pspCharges(baseURL!, session.payment_intent as string)).toBe(1);
    expect(sentToUs.length).toBeGreaterThan(0);
    for (const sent of sentToUs) expect(sent.replace(/\D/g, "")).not.toContain("4242424242424242");
    const events = await api(baseURL!).events.list({ limit: 20 });
    expect(events.data.filter((e) => e.type === "checkout.session.completed" && (e.data.object as { id: string }).id === session.id)).toHaveLength(1);
  });

  test("a decline shows Stripe's message and another card then succeeds; insufficient funds has its own message", async ({ page, baseURL }) => {
    const session = await newSession(baseURL!);
    await openForm(page, session.url!);
    await fillCard(page, "4000 0000 0000 0002");
    await page.getByRole("button", { name: /^Pay / }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Your card was declined." })).toBeVisible();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${SHOTS}/decline-laptop.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SHOTS}/decline-phone.png`, fullPage: true });
    await fillCard(page, "4000 0000 0000 9995");
    await page.getByRole("button", { name: /^Pay / }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Your card has insufficient funds." })).toBeVisible();
    await fillCard(page, "5555 5555 5555 4444");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(`${baseURL}/login?paid=${session.id}`);
    expect((await api(baseURL!).checkout.sessions.retrieve(session.id)).payment_status).toBe("paid");
    expect(await pspCharges(baseURL!, session.payment_intent as string)).toBe(1);
  });

  test("3-D Secure: a failed challenge returns to the form with the reason, a completed one finishes the payment", async ({ page, baseURL }) => {
    const session = await newSession(baseURL!);
    await openForm(page, session.url!);
    await fillCard(page, "4000 0027 6000 3184");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.getByRole("button", { name: "Fail authentication" }).click();
    await expect(page.getByRole("alert").filter({ hasText: /authenticat/i })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Pay \$44\.98$/ })).toBeEnabled();
    await page.getByLabel("Email").fill("ada@example.com");
    await fillCard(page, "4000 0027 6000 3184");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.getByRole("button", { name: "Complete authentication" }).click();
    await page.waitForURL(`${baseURL}/login?paid=${session.id}`);
    expect((await api(baseURL!).checkout.sessions.retrieve(session.id)).status).toBe("complete");
    expect(await pspCharges(baseURL!, session.payment_intent as string)).toBe(1);
  });

  test("double submit, reload and a second tab charge once", async ({ page, context, baseURL }) => {
    const session = await newSession(baseURL!);
    await openForm(page, session.url!);
    await fillCard(page, "4242 4242 4242 4242");
    const second = await context.newPage();
    await openForm(second, session.url!);
    await fillCard(second, "4242 4242 4242 4242");
    await page.getByRole("button", { name: /^Pay / }).dblclick();
    await page.waitForURL(`${baseURL}/login?paid=${session.id}`);
    // The second tab is sent to the merchant's success page too, without a second charge.
    await second.getByRole("button", { name: /^Pay / }).click();
    await second.waitForURL(`${baseURL}/login?paid=${session.id}`);
    await page.goBack();
    await expect(page.getByRole("heading", { name: "This checkout session is already paid." })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Pay / })).toHaveCount(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SHOTS}/success-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${SHOTS}/success-laptop.png`, fullPage: true });
    expect(await pspCharges(baseURL!, session.payment_intent as string)).toBe(1);
    const charges = await api(baseURL!).charges.list({ payment_intent: session.payment_intent as string });
    expect(charges.data.filter((c) => c.status === "succeeded")).toHaveLength(1);
  });

  test("an expired session shows so and no payment form; a bad token is a 404", async ({ page, baseURL }) => {
    const session = await newSession(baseURL!);
    await api(baseURL!).checkout.sessions.expire(session.id);
    await page.goto(session.url!);
    await expect(page.getByRole("heading", { name: "This checkout session has expired." })).toBeVisible();
    await expect(page.getByRole("button", { name: /^Pay / })).toHaveCount(0);
    await expect(page.getByLabel("Email")).toHaveCount(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${SHOTS}/expired-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${SHOTS}/expired-laptop.png`, fullPage: true });
    const missing = await page.goto(`${baseURL}/c/pay/not_a_real_token_at_all_000000`);
    expect(missing?.status()).toBe(404);
  });

  test("the phone layout shows the summary and the form", async ({ page, baseURL }) => {
    const session = await newSession(baseURL!);
    await page.setViewportSize({ width: 390, height: 844 });
    await openForm(page, session.url!);
    await fillCard(page, "4242 4242 4242 4242");
    await page.screenshot({ path: `${SHOTS}/form-phone.png`, fullPage: true });
    const external = await page.evaluate(() => performance.getEntriesByType("resource").map((r) => new URL(r.name).origin));
    const allowed = new Set([new URL(baseURL!).origin, `http://127.0.0.1:${Number(new URL(baseURL!).port) + 1}`]);
    expect(external.filter((o) => !allowed.has(o))).toEqual([]);
  });
});
