import { describe, expect, it } from "vitest";
import { captureJournal, refundJournal } from "../ledger";
import { clientSecretMatches, newClientSecret } from "../payments/client-secret";
import { balanceTransactionIdFor, chargeIdFor } from "./ids";
import { balanceOfJournal } from "./record";

describe("balance transactions are projections of journals", () => {
  it("a capture is the captured amount with the PSP fee", () => {
    expect(balanceOfJournal(captureJournal({ attemptId: "pa_1", amount: 8_000n, fee: 262n }))).toEqual({ amount: 8_000n, fee: 262n });
  });
  it("a fee larger than a tiny capture gives a negative net, still booked", () => {
    const { amount, fee } = balanceOfJournal(captureJournal({ attemptId: "pa_2", amount: 4n, fee: 30n }));
    expect(amount - fee).toBe(-26n);
  });
  it("a refund is a negative amount without a fee", () => {
    expect(balanceOfJournal(refundJournal({ refundId: "re_1", amount: 1_500n }))).toEqual({ amount: -1_500n, fee: 0n });
  });
  it("ids are derived from the fact they record: the same attempt or journal names the same object", () => {
    expect(chargeIdFor("m_1", "pa_1")).toBe(chargeIdFor("m_1", "pa_1"));
    expect(chargeIdFor("m_1", "pa_1")).not.toBe(chargeIdFor("m_2", "pa_1"));
    expect(balanceTransactionIdFor("m_1", "capture:pa_1")).toMatch(/^txn_[0-9A-Za-z]{24}$/);
  });
});

describe("client secrets", () => {
  it("name their intent, differ per call and match only themselves", () => {
    const a = newClientSecret("pi_123");
    expect(a).toMatch(/^pi_123_secret_[A-Za-z0-9_-]{24}$/);
    expect(newClientSecret("pi_123")).not.toBe(a);
    expect(clientSecretMatches(a, a)).toBe(true);
    expect(clientSecretMatches(a, `${a}x`)).toBe(false);
    expect(clientSecretMatches(null, a)).toBe(false);
  });
});
