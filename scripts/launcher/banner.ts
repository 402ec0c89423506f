import { redactUrl } from "./database";
import type { PspSetup } from "./psp";

export interface BannerInfo {
  mode: "dev" | "start";
  appPort: number;
  databaseUrl: string;
  embeddedDb: boolean;
  psp: PspSetup;
  merchantId: string;
  secretKey: string;
  /** Public by design (Stripe.js-level access only), so always shown whole. */
  publishableKey?: string;
  /** Where the full key can be read when the banner masks it. */
  keySource: string;
  /** Demo dashboard users' password and where it comes from; absent: no dashboard lines. */
  dashboard?: { password: string; passwordSource: string };
}

/** `sk_test_••••last4`: enough to tell keys apart, useless to anyone reading a terminal or a CI log. */
export function maskSecretKey(key: string): string {
  const prefix = /^(sk|rk)_(test|live)_/.exec(key)?.[0] ?? "";
  return `${prefix}••••${key.slice(-4)}`;
}

/**
 * What a developer needs to start calling the API, printed once the app accepts connections.
 * `npm start` (production build) masks the secret key; `npm run dev` shows it whole for copying.
 */
export function bannerText(b: BannerInfo): string {
  const app = `http://localhost:${b.appPort}`;
  const simulated = b.psp.kind !== "stripe";
  const psp =
    b.psp.kind === "stripe" ? "real Stripe (STRIPE_SECRET_KEY)"
    : b.psp.kind === "external" ? `SIMULATED at ${b.psp.apiBase} (STRIPE_API_BASE)`
    : `SIMULATED at ${b.psp.apiBase}  (webhooks -> http://127.0.0.1:${b.appPort}/api/webhooks/stripe)`;
  const db = `${redactUrl(b.databaseUrl)}${b.embeddedDb ? "  (embedded, data in .data/postgres)" : ""}`;
  const shownKey = b.mode === "start" ? maskSecretKey(b.secretKey) : b.secretKey;
  const keyInCurl = b.mode === "start" ? "sk_test_...:" : `${b.secretKey}:`;
  return [
    "",
    `  Payrail is ready (next ${b.mode})`,
    ...(simulated ? ["", "  *** TEST MODE: the PSP is simulated. No card is charged and no money moves. ***", ""] : []),
    `  App:            ${app}`,
    `  PSP:            ${psp}`,
    `  Database:       ${db}`,
    `  Demo merchant:  ${b.merchantId}`,
    `  Secret key:     ${shownKey}${b.mode === "start" ? `  (full key: ${b.keySource})` : ""}`,
    ...(b.publishableKey ? [`  Publishable key: ${b.publishableKey}`] : []),
    ...(b.dashboard
      ? [
          `  Dashboard:      ${app}/login  as owner@demo.payrail.test (also admin@, developer@, finance@, support@, viewer@; ops@payrail.test)`,
          `  Password:       ${b.dashboard.password}  (from ${b.dashboard.passwordSource})`,
        ]
      : []),
    "",
    "  Try:",
    `    curl ${app}/v1/payment_intents -u ${keyInCurl} -d amount=2000 -d currency=usd -d payment_method=pm_card_visa -d confirm=true`,
    "",
  ].join("\n");
}

export function printBanner(b: BannerInfo): void {
  console.log(bannerText(b));
}
