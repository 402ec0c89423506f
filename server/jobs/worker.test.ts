import { describe, expect, it } from "vitest";
import { reconciliationPeriodOf } from "./worker";

describe("reconciliation job period", () => {
  it("the daily cron slot reconciles the UTC day before it", () => {
    expect(reconciliationPeriodOf({ _cron: { ts: "2026-11-30T03:10:00.000Z" } })).toEqual({ from: "2026-11-29", to: "2026-11-30" });
  });
  it("an on-demand job reconciles exactly the period it names, optionally for one merchant", () => {
    expect(reconciliationPeriodOf({ from: "2026-11-01", to: "2026-11-08", merchantId: "acct_x" })).toEqual({ from: "2026-11-01", to: "2026-11-08", merchantId: "acct_x" });
  });
});
