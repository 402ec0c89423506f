import type { ExceptionKind } from "@/db/schema/statuses";
import type { AuthorizeResult } from "../psp/types";

/**
 * Comparing what the PSP reports with what we recorded, before a result is applied. Pure.
 *
 * The rule (every disagreement also becomes a finance exception with both sides):
 * - Same currency, PSP amount within our recorded bounds: apply what the PSP did (its amount).
 * - Same currency, PSP amount beyond our bounds: book our bound. Our books never hold more than
 *   we recorded (the amounts CHECK and the ledger stay valid); finance returns the excess at the PSP.
 * - Another currency: nothing in the result can be booked in ours. An authorization ends `failed`
 *   (terminal, nothing booked); a capture, cancel or refund of money we already hold in our
 *   currency books our recorded values.
 * - Another outcome than asked (a capture when we asked for a hold, or the reverse): apply what
 *   the PSP did.
 */
export interface Disagreement {
  kind: Extract<ExceptionKind, "amount_mismatch" | "currency_mismatch" | "status_mismatch">;
  /** Which value disagrees, e.g. "amount_capturable"; also part of the exception's dedupe key. */
  field: string;
  ours: string;
  theirs: string;
}

export interface Settled {
  /** The amount to apply. */
  amount: bigint;
  disagreements: Disagreement[];
}

/**
 * The amount to book for a PSP-reported amount: the PSP's when it lies within [min, bound], else
 * `bound`; a disagreement whenever it differs from what we asked for. Unreported: what we asked.
 */
export function settleAmount(field: string, asked: bigint, bound: bigint, reported: bigint | undefined, min = 0n): Settled {
  if (reported === undefined || reported === asked) return { amount: asked, disagreements: [] };
  const amount = reported >= min && reported <= bound ? reported : bound;
  return { amount, disagreements: [{ kind: "amount_mismatch", field, ours: asked.toString(), theirs: reported.toString() }] };
}

export function compareCurrency(ours: string, reported: string | undefined): Disagreement[] {
  if (reported === undefined || reported.toLowerCase() === ours.toLowerCase()) return [];
  return [{ kind: "currency_mismatch", field: "currency", ours: ours.toLowerCase(), theirs: reported.toLowerCase() }];
}

/** A reported value that does not change what we book (e.g. the PSP intent's own amount). */
export function compareValue(field: string, ours: bigint, reported: bigint | undefined): Disagreement[] {
  if (reported === undefined || reported === ours) return [];
  return [{ kind: "amount_mismatch", field, ours: ours.toString(), theirs: reported.toString() }];
}

/** The PSP authorized when we asked for an automatic capture, or captured when we asked for a hold. */
export function compareCaptureOutcome(captureMethod: "automatic" | "manual", outcome: "authorized" | "captured"): Disagreement[] {
  const expected = captureMethod === "manual" ? "authorized" : "captured";
  return outcome === expected ? [] : [{ kind: "status_mismatch", field: "status", ours: expected, theirs: outcome }];
}

export const hasCurrencyMismatch = (ds: readonly Disagreement[]) => ds.some((d) => d.kind === "currency_mismatch");

type AuthorizeAnswer = Exclude<AuthorizeResult, { outcome: "unknown" }>;

export interface CheckedAuthorization extends Settled {
  /** The PSP holds or took money in another currency: nothing of it can be booked. */
  unbookable: boolean;
}

/** An authorization result against the attempt we recorded (amount, currency) and the intent's capture method. */
export function checkAuthorization(ours: { amount: bigint; currency: string; captureMethod: "automatic" | "manual" }, result: AuthorizeAnswer): CheckedAuthorization {
  switch (result.outcome) {
    case "authorized":
    case "captured": {
      const reported = result.outcome === "authorized" ? result.amountCapturable : result.amountCaptured;
      const field = result.outcome === "authorized" ? "amount_capturable" : "amount_received";
      const currency = compareCurrency(ours.currency, result.currency);
      const settled = settleAmount(field, ours.amount, ours.amount, reported);
      return {
        amount: settled.amount,
        unbookable: currency.length > 0,
        disagreements: [
          ...currency,
          ...compareValue("amount", ours.amount, result.amount),
          ...settled.disagreements,
          ...compareCaptureOutcome(ours.captureMethod, result.outcome),
        ],
      };
    }
    case "requires_action":
      return {
        amount: ours.amount,
        unbookable: false,
        disagreements: [...compareCurrency(ours.currency, result.currency), ...compareValue("amount", ours.amount, result.amount)],
      };
    case "declined":
    case "failed":
      return { amount: ours.amount, unbookable: false, disagreements: [] };
  }
}
