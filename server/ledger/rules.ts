/**
 * Pure ledger rules: journal builders for payment facts, the balance check, totals derived from
 * lines, and the guards that keep captures within the hold and refunds within the captured amount.
 * No I/O here. Amounts are integer minor units (bigint); debit > 0, credit < 0.
 */
import { DomainError } from "../errors";
import type { AccountCode } from "./accounts";

export const JOURNAL_KINDS = [
  "authorization",
  "capture",
  "release",
  "refund",
  "dispute",
  "dispute_reversal",
  "reversal",
] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

export interface JournalLine {
  account: AccountCode;
  amount: bigint;
}

/** A balanced journal in one currency, ready for postJournal. */
export interface JournalDraft {
  kind: JournalKind;
  reference: string;
  lines: JournalLine[];
}

function positive(amount: bigint, param: string): bigint {
  if (typeof amount !== "bigint") {
    throw new DomainError("parameter_invalid", `Invalid ${param}: ${String(amount)}. Ledger amounts are bigint minor units.`, { param });
  }
  if (amount <= 0n) throw new DomainError("amount_too_small", `The ${param} must be positive, got ${amount}.`, { param });
  return amount;
}

function id(value: string, param: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new DomainError("parameter_missing", `A ${param} is required to build the journal reference.`, { param });
  }
  return value;
}

/** Drops zero lines (a fee of 0, a receivable of 0 when the fee takes everything). */
const nonZero = (lines: JournalLine[]): JournalLine[] => lines.filter((l) => l.amount !== 0n);

/** Authorization: funds put on hold at the PSP (memo pair, no money moved yet). */
export function authorizationJournal(p: { attemptId: string; amount: bigint }): JournalDraft {
  const a = positive(p.amount, "amount");
  return {
    kind: "authorization",
    reference: `auth:${id(p.attemptId, "attemptId")}`,
    lines: [
      { account: "authorization_holds", amount: a },
      { account: "authorization_commitments", amount: -a },
    ],
  };
}

/**
 * Capture C with PSP fee F: the hold shrinks by C; the PSP owes us C - F, we expense F and owe
 * the merchant C. A fixed fee can exceed a tiny capture (30 on a charge of 4): then C - F is
 * negative, a credit to psp_receivable (we owe the PSP); the capture is still booked, never lost.
 */
export function captureJournal(p: { attemptId: string; amount: bigint; fee: bigint }): JournalDraft {
  const c = positive(p.amount, "amount");
  if (typeof p.fee !== "bigint" || p.fee < 0n) {
    throw new DomainError("parameter_invalid", `Invalid capture fee ${String(p.fee)}: it must be a non-negative integer.`, { param: "fee" });
  }
  return {
    kind: "capture",
    reference: `capture:${id(p.attemptId, "attemptId")}`,
    lines: nonZero([
      { account: "authorization_commitments", amount: c },
      { account: "authorization_holds", amount: -c },
      { account: "psp_receivable", amount: c - p.fee },
      { account: "psp_fees", amount: p.fee },
      { account: "merchant_payable", amount: -c },
    ]),
  };
}

/** Release of held funds that will not be captured (remainder of a partial capture, cancel, void). */
export function releaseJournal(p: { reference: string; amount: bigint }): JournalDraft {
  const r = positive(p.amount, "amount");
  return {
    kind: "release",
    reference: id(p.reference, "reference"),
    lines: [
      { account: "authorization_commitments", amount: r },
      { account: "authorization_holds", amount: -r },
    ],
  };
}

/** Refund: we owe the merchant less and the PSP pays the money back out of the receivable. */
export function refundJournal(p: { refundId: string; amount: bigint }): JournalDraft {
  const a = positive(p.amount, "amount");
  return {
    kind: "refund",
    reference: `refund:${id(p.refundId, "refundId")}`,
    lines: [
      { account: "merchant_payable", amount: a },
      { account: "psp_receivable", amount: -a },
    ],
  };
}

function dispute(p: { disputeId: string; amount: bigint; fee: bigint }): { d: bigint; f: bigint; id: string } {
  const d = positive(p.amount, "amount");
  if (typeof p.fee !== "bigint" || p.fee < 0n) {
    throw new DomainError("parameter_invalid", `Invalid dispute fee ${String(p.fee)}: it must be a non-negative integer.`, { param: "fee" });
  }
  return { d, f: p.fee, id: id(p.disputeId, "disputeId") };
}

/**
 * Chargeback funds withdrawn: the PSP takes the disputed amount D and its dispute fee F out of the
 * receivable. The merchant bears both, as for a refund plus a fee: we owe it D less (merchant_payable,
 * which holds gross amounts) and F is a PSP fee like a capture's, so its net balance falls by D + F.
 */
export function disputeJournal(p: { disputeId: string; amount: bigint; fee: bigint }): JournalDraft {
  const { d, f, id: dp } = dispute(p);
  return {
    kind: "dispute",
    reference: `dispute:${dp}`,
    lines: nonZero([
      { account: "merchant_payable", amount: d },
      { account: "psp_fees", amount: f },
      { account: "psp_receivable", amount: -(d + f) },
    ]),
  };
}

/** Dispute won: the PSP reinstates the amount and gives the fee back; the withdrawal is undone line by line. */
export function disputeReversalJournal(p: { disputeId: string; amount: bigint; fee: bigint }): JournalDraft {
  const { d, f, id: dp } = dispute(p);
  return {
    kind: "dispute_reversal",
    reference: `dispute_won:${dp}`,
    lines: nonZero([
      { account: "psp_receivable", amount: d + f },
      { account: "merchant_payable", amount: -d },
      { account: "psp_fees", amount: -f },
    ]),
  };
}

/** Lines are stored as PostgreSQL bigint. */
const MAX_LINE_AMOUNT = 9_223_372_036_854_775_807n;

/**
 * A journal balances when it has at least two lines, every amount is a non-zero bigint and the
 * amounts sum to zero in each currency (lines without a currency share one group).
 */
export function assertBalanced(lines: readonly { amount: bigint; currency?: string }[]): void {
  if (!Array.isArray(lines) || lines.length < 2) {
    throw new DomainError("parameter_invalid", `A journal needs at least two lines, got ${Array.isArray(lines) ? lines.length : 0}.`, {
      param: "lines",
    });
  }
  const sums = new Map<string, bigint>();
  lines.forEach((line, i) => {
    if (typeof line.amount !== "bigint") {
      throw new DomainError("parameter_invalid", `Line ${i} amount ${String(line.amount)} is not a bigint of minor units.`, {
        param: `lines[${i}].amount`,
      });
    }
    if (line.amount > MAX_LINE_AMOUNT || line.amount < -MAX_LINE_AMOUNT) {
      throw new DomainError("parameter_invalid", `Line ${i} amount ${line.amount} is outside the 64-bit range of ledger amounts.`, {
        param: `lines[${i}].amount`,
      });
    }
    if (line.amount === 0n) {
      throw new DomainError("parameter_invalid", `Line ${i} has a zero amount; omit zero lines.`, { param: `lines[${i}].amount` });
    }
    const cur = line.currency ?? "";
    sums.set(cur, (sums.get(cur) ?? 0n) + line.amount);
  });
  for (const [cur, sum] of sums) {
    if (sum !== 0n) {
      throw new DomainError("parameter_invalid", `Journal does not balance${cur ? ` in ${cur}` : ""}: lines sum to ${sum}.`, { param: "lines" });
    }
  }
}

/** Ledger-derived totals of one payment, in minor units of its currency. */
export interface PaymentTotals {
  authorized: bigint;
  captured: bigint;
  released: bigint;
  refunded: bigint;
  /** Still on hold: authorized - captured - released (the holds balance). */
  held: bigint;
  /** Disputed amount currently withdrawn from the merchant (open or lost disputes; a won one nets out). */
  disputed: bigint;
}

/**
 * Derives totals from a payment's journal lines. `kind` is the business kind of the line's journal;
 * for a reversal journal pass the kind of the journal it reverses, so reversed amounts net out.
 */
export function derivePaymentTotals(lines: readonly { kind: string; account: string; amount: bigint }[]): PaymentTotals {
  const t: PaymentTotals = { authorized: 0n, captured: 0n, released: 0n, refunded: 0n, held: 0n, disputed: 0n };
  for (const { kind, account, amount } of lines) {
    if (account === "authorization_holds") {
      t.held += amount;
      if (kind === "authorization") t.authorized += amount;
    } else if (account === "authorization_commitments") {
      if (kind === "capture") t.captured += amount;
      else if (kind === "release") t.released += amount;
    } else if (account === "merchant_payable") {
      if (kind === "refund") t.refunded += amount;
      else if (kind === "dispute" || kind === "dispute_reversal") t.disputed += amount;
    } else if (account === "disputes") {
      t.disputed += amount;
    }
  }
  return t;
}

/** Refuses to capture more than the hold. */
export function assertCanCapture(totals: PaymentTotals, amount: bigint): void {
  positive(amount, "amount");
  if (amount > totals.held) {
    throw new DomainError("amount_too_large", `Cannot capture ${amount}: only ${totals.held} is held (authorized ${totals.authorized}, captured ${totals.captured}, released ${totals.released}).`, {
      param: "amount_to_capture",
    });
  }
}

/** Refuses to release more than the hold. */
export function assertCanRelease(totals: PaymentTotals, amount: bigint): void {
  positive(amount, "amount");
  if (amount > totals.held) {
    throw new DomainError("amount_too_large", `Cannot release ${amount}: only ${totals.held} is held.`, { param: "amount" });
  }
}

/** Refuses refunds above the captured amount (net of earlier refunds). */
export function assertCanRefund(totals: PaymentTotals, amount: bigint): void {
  positive(amount, "amount");
  const refundable = totals.captured - totals.refunded;
  if (amount > refundable) {
    throw new DomainError("amount_too_large", `Cannot refund ${amount}: only ${refundable} of the captured ${totals.captured} remains refundable.`, {
      param: "amount",
    });
  }
}
