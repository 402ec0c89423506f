import { describe, expect, it } from "vitest";
import type { PspIntentSnapshot } from "../psp/types";
import { authorizeVerdict, cancelVerdict, captureVerdict } from "./psp-verdict";

const snap = (status: PspIntentSnapshot["status"], extra: Partial<PspIntentSnapshot> = {}): PspIntentSnapshot => ({
  pspPaymentIntentId: "pi_psp",
  currency: "usd",
  status,
  amount: 1_000n,
  amountCapturable: status === "authorized" ? 1_000n : 0n,
  amountReceived: status === "captured" ? 1_000n : 0n,
  pspChargeId: "ch_1",
  fee: null,
  card: null,
  lastError: null,
  nextAction: null,
  ...extra,
});

describe("what the PSP's intent says about a pending call", () => {
  it("an authorization the PSP reports as processing stays in flight: never applied, never re-sent", () => {
    expect(authorizeVerdict(snap("processing"), true)).toEqual({ kind: "processing" });
    expect(captureVerdict(snap("processing"))).toEqual({ kind: "processing" });
    expect(cancelVerdict(snap("processing"))).toEqual({ kind: "processing" });
  });

  it("a charge the PSP made is applied with the amounts it reports", () => {
    expect(authorizeVerdict(snap("authorized"), true)).toMatchObject({ kind: "apply", result: { outcome: "authorized", amountCapturable: 1_000n, amount: 1_000n, currency: "usd" } });
    expect(authorizeVerdict(snap("captured"), false)).toMatchObject({ kind: "apply", result: { outcome: "captured", amountCaptured: 1_000n } });
    expect(captureVerdict(snap("captured"))).toMatchObject({ kind: "apply", result: { outcome: "captured", amountCaptured: 1_000n } });
    expect(cancelVerdict(snap("cancelled"))).toMatchObject({ kind: "apply", result: { outcome: "cancelled", amountReceived: 0n } });
  });

  it("a decline is this call's only when the call created the PSP intent; on a re-confirmation it may be the previous one's", () => {
    const declined = snap("requires_payment_method", { lastError: { code: "card_declined", declineCode: "generic_decline", message: "declined" } });
    expect(authorizeVerdict(declined, true)).toMatchObject({ kind: "apply", result: { outcome: "declined", declineCode: "generic_decline" } });
    expect(authorizeVerdict(declined, false)).toEqual({ kind: "not_reached" });
  });

  it("no effect of the call at the PSP: only repeating it with its key can tell", () => {
    expect(captureVerdict(snap("authorized"))).toEqual({ kind: "not_reached" });
    expect(cancelVerdict(snap("authorized"))).toEqual({ kind: "not_reached" });
    expect(authorizeVerdict(snap("requires_confirmation"), false)).toEqual({ kind: "not_reached" });
  });
});
