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
}

/** What a developer needs to start calling the API, printed once the app accepts connections. */
export function printBanner(b: BannerInfo): void {
  const app = `http://localhost:${b.appPort}`;
  const psp =
    b.psp.kind === "stripe" ? "real Stripe (STRIPE_SECRET_KEY)"
    : b.psp.kind === "external" ? `${b.psp.apiBase} (STRIPE_API_BASE)`
    : `${b.psp.apiBase}  (webhooks -> http://127.0.0.1:${b.appPort}/api/webhooks/stripe)`;
  const db = `${redactUrl(b.databaseUrl)}${b.embeddedDb ? "  (embedded, data in .data/postgres)" : ""}`;
  console.log(
    [
      "",
      `  Payrail is ready (next ${b.mode})`,
      `  App:            ${app}`,
      `  ${b.psp.kind === "stripe" ? "PSP:          " : "PSP simulator:"}  ${psp}`,
      `  Database:       ${db}`,
      `  Demo merchant:  ${b.merchantId}`,
      `  Secret key:     ${b.secretKey}`,
      "",
      "  Try:",
      `    curl ${app}/v1/payment_intents -u ${b.secretKey}: -d amount=2000 -d currency=usd -d payment_method=pm_card_visa -d confirm=true`,
      "",
    ].join("\n"),
  );
}
