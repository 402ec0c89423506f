import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import {
  assertBalanced,
  assertCanCapture,
  assertCanRefund,
  assertCanRelease,
  authorizationJournal,
  captureJournal,
  derivePaymentTotals,
  disputeJournal,
  disputeReversalJournal,
  refundJournal,
  releaseJournal,
  type JournalDraft,
  type PaymentTotals,
} from "./rules";

const sum = (d: JournalDraft) => d.lines.reduce((s, l) => s + l.amount, 0n);
const byAccount = (d: JournalDraft) => Object.fromEntries(d.lines.map((l) => [l.account, l.amount]));
const totalsOf = (drafts: JournalDraft[]) => derivePaymentTotals(drafts.flatMap((d) => d.lines.map((l) => ({ kind: d.kind, ...l }))));

function expectDomainError(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected DomainError ${code}`);
}

describe("journal builders", () => {
  it("authorization holds the amount against commitments", () => {
    const d = authorizationJournal({ attemptId: "att_1", amount: 1000n });
    expect(d.reference).toBe("auth:att_1");
    expect(byAccount(d)).toEqual({ authorization_holds: 1000n, authorization_commitments: -1000n });
    expect(sum(d)).toBe(0n);
  });

  it("capture moves the hold into receivable, fees and payable", () => {
    const d = captureJournal({ attemptId: "att_2", amount: 1000n, fee: 59n });
    expect(d.reference).toBe("capture:att_2");
    expect(byAccount(d)).toEqual({
      authorization_commitments: 1000n,
      authorization_holds: -1000n,
      psp_receivable: 941n,
      psp_fees: 59n,
      merchant_payable: -1000n,
    });
    expect(sum(d)).toBe(0n);
    assertBalanced(d.lines);
  });

  it("capture omits zero lines (no fee, or a fee taking everything)", () => {
    const noFee = captureJournal({ attemptId: "a", amount: 500n, fee: 0n });
    expect(noFee.lines.map((l) => l.account)).not.toContain("psp_fees");
    expect(sum(noFee)).toBe(0n);
    const allFee = captureJournal({ attemptId: "b", amount: 500n, fee: 500n });
    expect(allFee.lines.map((l) => l.account)).not.toContain("psp_receivable");
    expect(allFee.lines.every((l) => l.amount !== 0n)).toBe(true);
    assertBalanced(allFee.lines);
  });

  it("capture rejects a negative fee", () => {
    expectDomainError(() => captureJournal({ attemptId: "a", amount: 100n, fee: -1n }), "parameter_invalid");
  });

  it("capture with a fee above the captured amount credits the PSP receivable and still balances", () => {
    const d = captureJournal({ attemptId: "tiny", amount: 4n, fee: 30n });
    const byAccount = Object.fromEntries(d.lines.map((l) => [l.account, l.amount]));
    expect(byAccount).toMatchObject({ psp_receivable: -26n, psp_fees: 30n, merchant_payable: -4n });
    assertBalanced(d.lines);
  });

  it("builders reject non-positive amounts and missing ids", () => {
    expectDomainError(() => authorizationJournal({ attemptId: "a", amount: 0n }), "amount_too_small");
    expectDomainError(() => refundJournal({ refundId: "re", amount: -5n }), "amount_too_small");
    expectDomainError(() => releaseJournal({ reference: "", amount: 5n }), "parameter_missing");
    expectDomainError(() => authorizationJournal({ attemptId: "a", amount: 5 as unknown as bigint }), "parameter_invalid");
  });

  it("release, refund, dispute and dispute reversal balance", () => {
    const release = releaseJournal({ reference: "cancel:pi_1", amount: 300n });
    expect(release.reference).toBe("cancel:pi_1");
    expect(byAccount(release)).toEqual({ authorization_commitments: 300n, authorization_holds: -300n });
    const refund = refundJournal({ refundId: "re_1", amount: 200n });
    expect(refund.reference).toBe("refund:re_1");
    expect(byAccount(refund)).toEqual({ merchant_payable: 200n, psp_receivable: -200n });
    const dispute = disputeJournal({ disputeId: "dp_1", amount: 700n, fee: 1500n });
    expect(dispute.reference).toBe("dispute:dp_1");
    expect(byAccount(dispute)).toEqual({ merchant_payable: 700n, psp_fees: 1500n, psp_receivable: -2200n });
    const won = disputeReversalJournal({ disputeId: "dp_1", amount: 700n, fee: 1500n });
    expect(won.reference).toBe("dispute_won:dp_1");
    expect(byAccount(won)).toEqual({ psp_receivable: 2200n, merchant_payable: -700n, psp_fees: -1500n });
    expect(byAccount(disputeJournal({ disputeId: "dp_2", amount: 700n, fee: 0n }))).toEqual({ merchant_payable: 700n, psp_receivable: -700n });
    expect(() => disputeJournal({ disputeId: "dp_3", amount: 700n, fee: -1n })).toThrow(/dispute fee/);
    for (const d of [release, refund, dispute, won]) expect(sum(d)).toBe(0n);
  });
});

describe("assertBalanced", () => {
  it("accepts balanced lines, per currency", () => {
    assertBalanced([{ amount: 5n }, { amount: -5n }]);
    assertBalanced([
      { amount: 5n, currency: "usd" },
      { amount: -5n, currency: "usd" },
      { amount: 7n, currency: "eur" },
      { amount: -7n, currency: "eur" },
    ]);
  });
  it("rejects unbalanced lines", () => {
    expectDomainError(() => assertBalanced([{ amount: 5n }, { amount: -4n }]), "parameter_invalid");
  });
  it("rejects lines that balance overall but not per currency", () => {
    expectDomainError(
      () => assertBalanced([{ amount: 5n, currency: "usd" }, { amount: -5n, currency: "eur" }]),
      "parameter_invalid",
    );
  });
  it("rejects zero amounts", () => {
    expectDomainError(() => assertBalanced([{ amount: 0n }, { amount: 0n }]), "parameter_invalid");
    expectDomainError(() => assertBalanced([{ amount: 5n }, { amount: -5n }, { amount: 0n }]), "parameter_invalid");
  });
  it("rejects amounts outside PostgreSQL bigint", () => {
    expectDomainError(() => assertBalanced([{ amount: 2n ** 63n }, { amount: -(2n ** 63n) }]), "parameter_invalid");
    assertBalanced([{ amount: 2n ** 63n - 1n }, { amount: -(2n ** 63n - 1n) }]);
  });
  it("rejects a single line and no lines", () => {
    expectDomainError(() => assertBalanced([{ amount: 5n }]), "parameter_invalid");
    expectDomainError(() => assertBalanced([]), "parameter_invalid");
  });
  it("rejects non-bigint amounts (floats never reach the ledger)", () => {
    expectDomainError(() => assertBalanced([{ amount: 0.5 as unknown as bigint }, { amount: -0.5 as unknown as bigint }]), "parameter_invalid");
  });
});

describe("payment totals and guards", () => {
  const zero: PaymentTotals = { authorized: 0n, captured: 0n, released: 0n, refunded: 0n, held: 0n, disputed: 0n };

  it("derives totals from a payment's journals", () => {
    const t = totalsOf([
      authorizationJournal({ attemptId: "a", amount: 1000n }),
      captureJournal({ attemptId: "c", amount: 600n, fee: 20n }),
      releaseJournal({ reference: "release:c", amount: 400n }),
      refundJournal({ refundId: "r", amount: 100n }),
    ]);
    expect(t).toEqual({ authorized: 1000n, captured: 600n, released: 400n, refunded: 100n, held: 0n, disputed: 0n });
  });

  it("counts a withdrawn dispute as disputed until it is won", () => {
    const base = [authorizationJournal({ attemptId: "a", amount: 1000n }), captureJournal({ attemptId: "a", amount: 1000n, fee: 59n })];
    const withdrawn = disputeJournal({ disputeId: "dp", amount: 1000n, fee: 1500n });
    expect(totalsOf([...base, withdrawn])).toMatchObject({ captured: 1000n, refunded: 0n, disputed: 1000n });
    expect(totalsOf([...base, withdrawn, disputeReversalJournal({ disputeId: "dp", amount: 1000n, fee: 1500n })])).toMatchObject({ disputed: 0n });
  });

  it("counts a reversal under the kind it reverses", () => {
    const capture = captureJournal({ attemptId: "c", amount: 600n, fee: 20n });
    const lines = [
      ...authorizationJournal({ attemptId: "a", amount: 1000n }).lines.map((l) => ({ kind: "authorization", ...l })),
      ...capture.lines.map((l) => ({ kind: "capture", ...l })),
      ...capture.lines.map((l) => ({ kind: "capture", account: l.account, amount: -l.amount })),
    ];
    expect(derivePaymentTotals(lines)).toMatchObject({ authorized: 1000n, captured: 0n, held: 1000n });
  });

  it("refuses to capture more than the hold", () => {
    const t = { ...zero, authorized: 1000n, captured: 300n, held: 700n };
    assertCanCapture(t, 700n);
    expectDomainError(() => assertCanCapture(t, 701n), "amount_too_large");
    expectDomainError(() => assertCanCapture(zero, 1n), "amount_too_large");
    expectDomainError(() => assertCanCapture(t, 0n), "amount_too_small");
  });

  it("refuses to release more than the hold", () => {
    const t = { ...zero, authorized: 1000n, held: 1000n };
    assertCanRelease(t, 1000n);
    expectDomainError(() => assertCanRelease(t, 1001n), "amount_too_large");
  });

  it("refuses refunds above the captured amount", () => {
    const t = { ...zero, authorized: 1000n, captured: 800n, refunded: 500n, held: 200n };
    assertCanRefund(t, 300n);
    expectDomainError(() => assertCanRefund(t, 301n), "amount_too_large");
    expectDomainError(() => assertCanRefund({ ...zero, authorized: 1000n, held: 1000n }, 1n), "amount_too_large");
  });
});

/** Random operation sequences on one payment; the guards decide which operations are applied. */
const operation = fc.oneof(
  fc.record({ op: fc.constant("capture" as const), amount: fc.bigInt({ min: 1n, max: 20_000n }), feeBps: fc.integer({ min: 0, max: 10_000 }) }),
  fc.record({ op: fc.constant("release" as const), amount: fc.bigInt({ min: 1n, max: 20_000n }) }),
  fc.record({ op: fc.constant("refund" as const), amount: fc.bigInt({ min: 1n, max: 20_000n }) }),
);
const paymentScenario = fc.record({
  authorized: fc.bigInt({ min: 1n, max: 10_000n }),
  ops: fc.array(operation, { maxLength: 12 }),
});

describe("ledger properties", () => {
  it("any sequence of guarded operations keeps journals balanced, captured <= authorized, refunded <= captured", () => {
    fc.assert(
      fc.property(paymentScenario, ({ authorized, ops }) => {
        const journals: JournalDraft[] = [authorizationJournal({ attemptId: "att", amount: authorized })];
        let model = { captured: 0n, released: 0n, refunded: 0n };
        ops.forEach((o, i) => {
          const totals = totalsOf(journals);
          if (o.op === "capture") {
            if (o.amount > totals.held) {
              expectDomainError(() => assertCanCapture(totals, o.amount), "amount_too_large");
              return;
            }
            assertCanCapture(totals, o.amount);
            const fee = (o.amount * BigInt(o.feeBps)) / 10_000n;
            journals.push(captureJournal({ attemptId: `cap${i}`, amount: o.amount, fee }));
            model = { ...model, captured: model.captured + o.amount };
          } else if (o.op === "release") {
            if (o.amount > totals.held) {
              expectDomainError(() => assertCanRelease(totals, o.amount), "amount_too_large");
              return;
            }
            journals.push(releaseJournal({ reference: `release:${i}`, amount: o.amount }));
            model = { ...model, released: model.released + o.amount };
          } else {
            if (o.amount > totals.captured - totals.refunded) {
              expectDomainError(() => assertCanRefund(totals, o.amount), "amount_too_large");
              return;
            }
            assertCanRefund(totals, o.amount);
            journals.push(refundJournal({ refundId: `re${i}`, amount: o.amount }));
            model = { ...model, refunded: model.refunded + o.amount };
          }
        });
        for (const j of journals) {
          expect(sum(j)).toBe(0n);
          assertBalanced(j.lines);
        }
        const t = totalsOf(journals);
        expect(t).toMatchObject({ authorized, ...model, held: authorized - model.captured - model.released });
        expect(t.captured).toBeLessThanOrEqual(t.authorized);
        expect(t.refunded).toBeLessThanOrEqual(t.captured);
        expect(t.held).toBeGreaterThanOrEqual(0n);
      }),
      { numRuns: 300 },
    );
  });
});
