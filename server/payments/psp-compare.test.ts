import { describe, expect, it } from "vitest";
import { checkAuthorization, compareCurrency, settleAmount } from "./psp-compare";

describe("comparing a PSP result with what we recorded", () => {
  it("applies the PSP's amount within our bounds and records that it differs", () => {
    expect(settleAmount("amount_received", 3_000n, 3_000n, 3_000n)).toEqual({ amount: 3_000n, disagreements: [] });
    expect(settleAmount("amount_received", 3_000n, 3_000n, undefined)).toEqual({ amount: 3_000n, disagreements: [] });
    expect(settleAmount("amount_received", 3_000n, 5_000n, 4_000n)).toEqual({
      amount: 4_000n,
      disagreements: [{ kind: "amount_mismatch", field: "amount_received", ours: "3000", theirs: "4000" }],
    });
  });

  it("never books more than our bound (nor less than the minimum): it books the bound and records both sides", () => {
    expect(settleAmount("amount_received", 3_000n, 3_000n, 5_000n).amount).toBe(3_000n);
    expect(settleAmount("amount", 700n, 700n, 0n, 1n).amount).toBe(700n);
    expect(settleAmount("amount", 700n, 700n, -5n).amount).toBe(700n);
  });

  it("compares currencies case-insensitively", () => {
    expect(compareCurrency("usd", "USD")).toEqual([]);
    expect(compareCurrency("usd", "eur")).toEqual([{ kind: "currency_mismatch", field: "currency", ours: "usd", theirs: "eur" }]);
  });

  it("an authorization charged above the recorded amount is booked at ours, with each disagreement named", () => {
    const checked = checkAuthorization(
      { amount: 3_000n, currency: "usd", captureMethod: "automatic" },
      { outcome: "captured", pspPaymentIntentId: "pi_x", pspChargeId: null, amountCaptured: 5_000n, fee: null, amount: 5_000n, currency: "usd" },
    );
    expect(checked.amount).toBe(3_000n);
    expect(checked.unbookable).toBe(false);
    expect(checked.disagreements.map((d) => d.field)).toEqual(["amount", "amount_received"]);
  });

  it("another currency makes an authorization unbookable; another outcome than asked is a status mismatch", () => {
    const other = checkAuthorization(
      { amount: 3_000n, currency: "usd", captureMethod: "manual" },
      { outcome: "authorized", pspPaymentIntentId: "pi_x", pspChargeId: null, amountCapturable: 3_000n, amount: 3_000n, currency: "eur" },
    );
    expect(other.unbookable).toBe(true);
    const status = checkAuthorization(
      { amount: 3_000n, currency: "usd", captureMethod: "manual" },
      { outcome: "captured", pspPaymentIntentId: "pi_x", pspChargeId: null, amountCaptured: 3_000n, fee: null, amount: 3_000n, currency: "usd" },
    );
    expect(status).toMatchObject({ amount: 3_000n, unbookable: false, disagreements: [{ kind: "status_mismatch", ours: "authorized", theirs: "captured" }] });
  });
});
