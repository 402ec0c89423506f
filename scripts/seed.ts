/** Idempotent demo data: the `acct_demo` merchant, its test key and (when a PSP is given) a few payments. */
import { count, eq } from "drizzle-orm";
import { createDatabase, type Db } from "../db/client";
import { paymentIntents } from "../db/schema";
import { generateSecretKey } from "../server/merchants/api-keys";
import { createMerchant } from "../server/merchants/service";
import { addMembership } from "../server/auth/membership";
import { upsertUser } from "../server/auth/users";
import { MEMBER_ROLES } from "../db/schema/statuses";

export const DEMO_MERCHANT_ID = "acct_demo";
export const DEMO_MERCHANT_NAME = "Demo Shop";
/** The demo merchant's hosted checkout colour. */
export const DEMO_BRAND_COLOR = "#4f46e5";

/** One dashboard user per role at acct_demo, and the platform admin. */
export const DEMO_USERS = [
  ...MEMBER_ROLES.map((role) => ({ email: `${role}@demo.payrail.test`, role })),
  { email: "ops@payrail.test", role: "platform_admin" as const },
];

export interface SeedOptions {
  /** Password of the demo users (stored as argon2 hashes); no users are created without it. */
  demoPassword?: string;
  /** The demo key to register (stored hashed); a new one is generated when absent. */
  secretKey?: string;
  /** Stripe-compatible API base (the simulator) used to create demo payments; none are created without it. */
  pspApiBase?: string;
}

export interface SeedResult {
  merchantId: string;
  secretKey: string;
  publishableKey: string;
  demoPayments: number;
}

export async function seedDemo(databaseUrl: string, opts: SeedOptions = {}): Promise<SeedResult> {
  const database = createDatabase(databaseUrl, { max: 2 });
  try {
    const secretKey = opts.secretKey ?? generateSecretKey("test");
    // Both inserts are ON CONFLICT DO NOTHING: re-running keeps the merchant and adds the key only if new.
    const { publishableKey } = await createMerchant(database.db, { id: DEMO_MERCHANT_ID, name: DEMO_MERCHANT_NAME, secretKey, brandColor: DEMO_BRAND_COLOR });
    if (opts.demoPassword) await seedUsers(database.db, opts.demoPassword);
    const demoPayments = opts.pspApiBase ? await seedPayments(database.db, opts.pspApiBase) : 0;
    return { merchantId: DEMO_MERCHANT_ID, secretKey, publishableKey, demoPayments };
  } finally {
    await database.close();
  }
}

async function seedUsers(db: Db, password: string) {
  for (const u of DEMO_USERS) {
    const userId = await upsertUser(db, { email: u.email, password, platformAdmin: u.role === "platform_admin" });
    if (u.role !== "platform_admin") await addMembership(db, userId, DEMO_MERCHANT_ID, u.role);
  }
}

/**
 * A few payment intents through the real orchestrator, only while the demo merchant has none.
 * Best effort: demo data must never stop the app from starting.
 */
async function seedPayments(db: Db, apiBase: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(paymentIntents).where(eq(paymentIntents.merchantId, DEMO_MERCHANT_ID));
  if ((row?.n ?? 0) > 0) return 0;
  try {
    // Imported lazily: the payments core is large and only needed on the first run.
    const { createPaymentIntent } = await import("../server/payments/orchestrator");
    const { StripeAdapter } = await import("../server/psp/stripe/adapter");
    const { createStripeClient } = await import("../server/psp/stripe/client");
    const { SIMULATOR_SECRET_KEY } = await import("../server/psp/index");
    const psp = new StripeAdapter(createStripeClient({ secretKey: SIMULATOR_SECRET_KEY, apiBase }));
    const ctx = { db, psp };
    const demo = [
      { amount: 2000, currency: "usd", payment_method: "pm_card_visa", confirm: true, description: "Demo: paid order" },
      { amount: 4500, currency: "eur", payment_method: "pm_card_mastercard", confirm: true, capture_method: "manual" as const, description: "Demo: authorized, awaiting capture" },
      { amount: 990, currency: "usd", description: "Demo: awaiting payment method" },
    ];
    for (const input of demo) await createPaymentIntent(ctx, DEMO_MERCHANT_ID, input);
    return demo.length;
  } catch (err) {
    console.warn(`[seed] demo payments skipped: ${err instanceof Error ? err.message : String(err)}`);
    return 0;
  }
}
