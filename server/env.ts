import { z } from "zod";

/** The only module that reads process.env. Empty strings count as unset. */
const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);
const optional = <T extends z.ZodType>(s: T) => z.preprocess(emptyAsUndefined, s.optional());

const schema = z.object({
  NODE_ENV: optional(z.enum(["development", "production", "test"])),
  DATABASE_URL: optional(z.string().url()),
  DB_POOL_MAX: optional(z.coerce.number().int().positive()),
  PORT: optional(z.coerce.number().int().positive()),
  DEMO_SECRET_KEY: optional(z.string().startsWith("sk_")),
  /** Real Stripe when set; otherwise the PSP simulator at STRIPE_API_BASE. */
  STRIPE_SECRET_KEY: optional(z.string().startsWith("sk_")),
  /** Real Stripe's publishable key, for Stripe.js on the hosted checkout (with the simulator a test key is used). */
  STRIPE_PUBLISHABLE_KEY: optional(z.string().startsWith("pk_")),
  /** Signing secret(s) of inbound PSP webhooks; a comma-separated list during a rotation. */
  STRIPE_WEBHOOK_SECRET: optional(z.string()),
  /** 32 bytes (hex or base64) sealing merchant webhook signing secrets at rest (AES-256-GCM); stored plain without it. */
  WEBHOOK_ENCRYPTION_KEY: optional(z.string().min(32)),
  /** Jobs one worker process runs at once. */
  WORKER_CONCURRENCY: optional(z.coerce.number().int().positive()),
  /** Base URL of a Stripe-compatible API (the simulator), e.g. http://127.0.0.1:12111 */
  STRIPE_API_BASE: optional(z.string().url()),
  PSP_TIMEOUT_MS: optional(z.coerce.number().int().positive()),
  /** How often the Stripe SDK repeats a failed call (same idempotency key) before we record "unknown". */
  PSP_MAX_NETWORK_RETRIES: optional(z.coerce.number().int().min(0).max(5)),
  /** The origin merchants and customers reach this deployment at (receipt URLs). Defaults to http://localhost:$PORT. */
  PAYRAIL_PUBLIC_URL: optional(z.string().url()),
  /** Recovery tries (with exponential backoff) before an unresolved PSP call becomes a finance exception. */
  RECOVERY_MAX_TRIES: optional(z.coerce.number().int().min(1).max(50)),
  /** "1": with NODE_ENV=production, refuse to start unless a real PSP is configured. */
  PAYRAIL_REQUIRE_PSP: optional(z.enum(["0", "1"]).transform((v) => v === "1")),
  /** Port of the simulator the launcher starts (npm run dev / npm start). */
  SIMULATOR_PORT: optional(z.coerce.number().int().min(0).max(65535)),
  /** Signs dashboard session tokens (Auth.js). Unset: a random secret kept in .data/auth-secret. */
  AUTH_SECRET: optional(z.string().min(32)),
  /** Password of the demo dashboard users (owner@demo.payrail.test, ...). Unset: random, kept in .data/demo-password. */
  DEMO_PASSWORD: optional(z.string().min(8)),
  /** Refunds above this amount, in the payment currency's major units, ask for the password again (default 100). */
  REFUND_REAUTH_ABOVE: optional(z.string().regex(/^\d+(\.\d+)?$/)),
  /** Fault tests only: end the process right after the PSP answers this call (authorize, capture, cancel, refund). */
  PAYRAIL_TEST_CRASH_AFTER_PSP: optional(z.enum(["authorize", "capture", "cancel", "refund"])),
  /** Where the simulator keeps its state (launcher, npm run simulator): a folder (default .data/simulator) or "memory". */
  SIMULATOR_STORE: optional(z.string()),
  /** "1": the simulator fdatasyncs each batch of writes before answering (survives power loss, not only a killed process). */
  SIMULATOR_STORE_FSYNC: optional(z.enum(["0", "1"]).transform((v) => v === "1")),
  LOG_LEVEL: optional(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;
export function env(): Env {
  cached ??= schema.parse(process.env);
  return cached;
}

/** For tests and launchers that change the environment after start. */
export function resetEnvCache(): void {
  cached = undefined;
}
