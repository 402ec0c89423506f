import { describe, expect, it } from "vitest";
import { bannerText, maskSecretKey, type BannerInfo } from "./banner";

const KEY = "sk_test_Zx81secretpart0123456789abcd";
const info = (mode: BannerInfo["mode"], kind: BannerInfo["psp"]["kind"] = "simulator"): BannerInfo => ({
  mode,
  appPort: 3000,
  databaseUrl: "postgres://postgres:pw@127.0.0.1:5433/payrail",
  embeddedDb: true,
  psp: { kind, apiBase: "http://127.0.0.1:12111", env: {}, close: async () => {} },
  merchantId: "acct_demo",
  secretKey: KEY,
  keySource: ".data/demo-secret-key",
});

describe("launcher banner", () => {
  it("npm start masks the secret key everywhere; npm run dev shows it whole", () => {
    const start = bannerText(info("start"));
    expect(start).not.toContain(KEY);
    expect(start).not.toContain("secretpart");
    expect(start).toContain(maskSecretKey(KEY));
    expect(maskSecretKey(KEY)).toBe("sk_test_••••abcd");
    expect(bannerText(info("dev"))).toContain(KEY);
  });

  it("says loudly that the PSP is simulated, and nothing of the kind with real Stripe", () => {
    expect(bannerText(info("start"))).toContain("TEST MODE: the PSP is simulated");
    expect(bannerText(info("dev", "external"))).toContain("SIMULATED");
    expect(bannerText(info("start", "stripe"))).not.toMatch(/simulated/i);
  });

  it("prints the dashboard sign-in URL, the demo users and their password", () => {
    const text = bannerText({ ...info("start"), dashboard: { password: "pw-Demo-123", passwordSource: "DEMO_PASSWORD" } });
    expect(text).toContain("http://localhost:3000/login");
    expect(text).toContain("owner@demo.payrail.test");
    expect(text).toContain("pw-Demo-123");
  });
});
