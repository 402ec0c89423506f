import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pspConfigurationError, pspMode } from "./mode";

describe("PSP mode", () => {
  it("is real only with a Stripe key and no other API base", () => {
    expect(pspMode({})).toBe("simulated");
    expect(pspMode({ STRIPE_API_BASE: "http://127.0.0.1:12111" })).toBe("simulated");
    expect(pspMode({ STRIPE_SECRET_KEY: "sk_test_x", STRIPE_API_BASE: "http://127.0.0.1:12111" })).toBe("simulated");
    expect(pspMode({ STRIPE_SECRET_KEY: "sk_live_x" })).toBe("real");
    expect(pspMode({ STRIPE_SECRET_KEY: "sk_live_x", STRIPE_API_BASE: "https://api.stripe.com" })).toBe("real");
  });

  it("refuses production with PAYRAIL_REQUIRE_PSP=1 and a simulated PSP, nothing else", () => {
    expect(pspConfigurationError({ NODE_ENV: "production", PAYRAIL_REQUIRE_PSP: true })).toMatch(/PAYRAIL_REQUIRE_PSP/);
    expect(pspConfigurationError({ NODE_ENV: "production", PAYRAIL_REQUIRE_PSP: true, STRIPE_SECRET_KEY: "sk_live_x" })).toBeUndefined();
    expect(pspConfigurationError({ NODE_ENV: "production" })).toBeUndefined();
    expect(pspConfigurationError({ NODE_ENV: "development", PAYRAIL_REQUIRE_PSP: true })).toBeUndefined();
  });

  it("npm start refuses to start with PAYRAIL_REQUIRE_PSP=1 and no real PSP key", () => {
    const env = { ...process.env, PAYRAIL_REQUIRE_PSP: "1", STRIPE_SECRET_KEY: "", STRIPE_API_BASE: "", PORT: "" };
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("PAYRAIL_REQUIRE_PSP=1 in production, but no real PSP is configured");
  });
});
