import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3210);
export const E2E_SECRET_KEY = "sk_test_e2e_demo_merchant_key_0001";
export const E2E_DEMO_PASSWORD = "e2e-demo-password-0001";
// Set once by the runner; its workers inherit it, so specs reach the server's database.
if (!process.env.E2E_DATABASE_URL) {
  process.env.E2E_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/payrail_e2e_${process.pid}`;
  process.env.E2E_DATABASE_OWNED = "1"; // global-teardown drops it
}
export const E2E_DATABASE_URL: string = process.env.E2E_DATABASE_URL;

/**
 * End-to-end tests against the production build started exactly as operators start it
 * (`npm start`: migrate, seed, simulator), on a database of its own.
 */
export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: {
    command: "npx tsx scripts/start.ts",
    url: `http://127.0.0.1:${PORT}/`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(PORT),
      DATABASE_URL: E2E_DATABASE_URL,
      DEMO_SECRET_KEY: E2E_SECRET_KEY,
      DEMO_PASSWORD: E2E_DEMO_PASSWORD,
      SIMULATOR_PORT: String(PORT + 1),
      // Hosted checkout URLs point at the origin the browser uses.
      PAYRAIL_PUBLIC_URL: `http://127.0.0.1:${PORT}`,
      // A fresh database per run, so a fresh PSP too (the durable store is covered by integration tests).
      SIMULATOR_STORE: "memory",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
    },
  },
});
