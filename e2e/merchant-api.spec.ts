import { expect, test } from "@playwright/test";
import Stripe from "stripe";
import { E2E_SECRET_KEY } from "../playwright.config";

/** The production server, driven by the official SDK exactly as a merchant backend would. */
test("a merchant backend runs a full payment through the production server with the stripe SDK", async ({ baseURL }) => {
  const url = new URL(baseURL!);
  const stripe = new Stripe(E2E_SECRET_KEY, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 1 });
  const pi = await stripe.paymentIntents.create({ amount: 4_999, currency: "usd", payment_method: "pm_card_visa", capture_method: "manual", confirm: true });
  expect(pi.status).toBe("requires_capture");
  const captured = await stripe.paymentIntents.capture(pi.id);
  expect(captured.status).toBe("succeeded");
  const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 999 });
  expect(refund.status).toBe("succeeded");
  const declined = await stripe.paymentIntents
    .create({ amount: 100, currency: "usd", payment_method: "pm_card_chargeDeclinedInsufficientFunds", confirm: true })
    .catch((e: unknown) => e);
  expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
  expect((declined as Stripe.errors.StripeCardError).decline_code).toBe("insufficient_funds");
});

test("the home page sends a signed-out visitor to sign in (Chromium)", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in to Payrail" })).toBeVisible();
});
