/**
 * Pure matching rules: one PSP balance line against our records, decided without I/O.
 *
 * Which differences are repaired and which go to finance:
 * - A capture or refund the PSP reports whose result we never applied (an attempt still pending on
 *   our side) is repaired by applying the PSP's own answer through the normal apply path (the same
 *   one recovery uses): the PSP's record is the truth for what it did, the journals carry the
 *   attempt's unique reference, and the state machine guards every transition. ("recover")
 * - A fee that differs is repaired with a fee adjustment journal (psp_fees against psp_receivable):
 *   the fee is what the PSP withheld, only it can know it, and the difference touches neither what
 *   the merchant is owed nor the payment's state. ("fee_repair")
 * - Everything else changes what the merchant is owed or says one side is wrong in a way that needs
 *   a person (amount, currency, status, a charge or refund one side lacks, a line reported twice):
 *   a finance exception with both sides stored.
 * PSP balance transactions never change once reported, so a line already settled stays settled.
 */
import type { ExceptionKind } from "@/db/schema/statuses";
import type { PspBalanceLine } from "../psp/types";

export interface OurBalanceTxn {
  id: string;
  amount: bigint;
  fee: bigint;
  currency: string;
  /** The PSP line that settled it, if any. */
  pspBalanceTransactionId: string | null;
}

export interface OurCharge {
  id: string;
  merchantId: string;
  paymentIntentId: string;
  status: "pending" | "succeeded" | "failed";
  currency: string;
  /** The capture's balance transaction. */
  bt: OurBalanceTxn | null;
  /** The intent has an attempt whose PSP result was never applied. */
  hasPendingAttempt: boolean;
}

export interface OurRefund {
  id: string;
  merchantId: string;
  paymentIntentId: string;
  status: "pending" | "succeeded" | "failed";
  amount: bigint;
  currency: string;
  bt: OurBalanceTxn | null;
  hasPendingAttempt: boolean;
}

/** What we know that a batch of lines names. */
export interface Ours {
  chargesByPspId: ReadonlyMap<string, OurCharge>;
  refundsByPspId: ReadonlyMap<string, OurRefund>;
  /** Refunds named by our own id in the PSP refund's metadata (payrail_refund). */
  refundsById: ReadonlyMap<string, OurRefund>;
  /** Our payment intents named in metadata that have an unapplied attempt: merchant id by intent id. */
  recoverableIntents: ReadonlyMap<string, string>;
  /** Merchants named in metadata that exist. */
  merchants: ReadonlySet<string>;
}

type Side = Record<string, unknown>;

export type Decision =
  /** `bt` is null when there is nothing to mark (already settled by this line, or a failed refund). */
  | { kind: "matched"; merchantId: string; paymentIntentId: string | null; bt: OurBalanceTxn | null }
  | { kind: "fee_repair"; merchantId: string; paymentIntentId: string | null; currency: string; bt: OurBalanceTxn; ourFee: bigint; theirFee: bigint }
  | { kind: "recover"; merchantId: string; paymentIntentId: string }
  | {
      kind: "exception";
      exceptionKind: ExceptionKind;
      merchantId: string;
      paymentIntentId: string | null;
      refundId: string | null;
      detail: string;
      ours: Side;
      theirs: Side;
    }
  | { kind: "unattributed"; detail: string }
  | { kind: "skipped"; reason: string }
  /** Belongs to another merchant than the run's scope. */
  | { kind: "out_of_scope" };

export interface DecideOptions {
  /** False on the second look after a recovery: what is still unapplied becomes an exception. */
  allowRecover: boolean;
  /** Only lines of this merchant are reconciled. */
  merchantId?: string | null;
}

export const theirsOf = (l: PspBalanceLine): Side => ({
  balance_transaction: l.id,
  type: l.type,
  source: l.source,
  amount: l.amount.toString(),
  fee: l.fee.toString(),
  net: l.net.toString(),
  currency: l.currency,
  created: l.created.toISOString(),
  ...(l.sourceStatus ? { source_status: l.sourceStatus } : {}),
});

const btSide = (bt: OurBalanceTxn | null): Side =>
  bt ? { balance_transaction: bt.id, amount: bt.amount.toString(), fee: bt.fee.toString(), currency: bt.currency } : { balance_transaction: null };

/** The dedupe key of a reconciliation exception about a PSP line: recording it again in a rerun is a no-op. */
export const lineExceptionKey = (kind: ExceptionKind, lineId: string) => `recon:${kind}:${lineId}`;

interface Owner {
  merchantId: string;
  paymentIntentId: string | null;
  refundId: string | null;
  ours: Side;
}

/**
 * Decides each line of a batch in order. `claimed` holds our balance transactions settled by an
 * earlier line of the same run that is not committed yet, so a line reported twice in one batch is
 * a duplicate just as one reported twice across batches (where the stored marker says so).
 */
export function decideBatch(lines: readonly PspBalanceLine[], ours: Ours, opts: DecideOptions, claimed: Map<string, string> = new Map()): Decision[] {
  const out: Decision[] = [];
  for (const line of lines) {
    const d = decideLine(line, ours, opts, claimed);
    const merchant = "merchantId" in d ? d.merchantId : null;
    if (opts.merchantId && d.kind !== "skipped" && merchant !== opts.merchantId) {
      out.push({ kind: "out_of_scope" });
      continue;
    }
    if ((d.kind === "matched" || d.kind === "fee_repair") && d.bt) claimed.set(d.bt.id, line.id);
    out.push(d);
  }
  return out;
}

function exception(kind: ExceptionKind, owner: Owner, line: PspBalanceLine, detail: string): Decision {
  return {
    kind: "exception",
    exceptionKind: kind,
    merchantId: owner.merchantId,
    paymentIntentId: owner.paymentIntentId,
    refundId: owner.refundId,
    detail,
    ours: owner.ours,
    theirs: theirsOf(line),
  };
}

export function decideLine(line: PspBalanceLine, ours: Ours, opts: DecideOptions, claimed: ReadonlyMap<string, string> = new Map()): Decision {
  switch (line.type) {
    case "charge":
    case "payment":
      return decideCharge(line, ours, opts, claimed);
    case "refund":
    case "refund_failure":
      return decideRefund(line, ours, opts, claimed);
    default:
      // Disputes (adjustment) are reconciled with the dispute records once Payrail keeps them.
      return { kind: "skipped", reason: `type ${line.type} is not reconciled` };
  }
}

function unknownSource(line: PspBalanceLine, ours: Ours, opts: DecideOptions, what: string): Decision {
  const piId = line.sourceMetadata.payrail_payment_intent;
  const merchantId = line.sourceMetadata.payrail_merchant;
  if (piId && opts.allowRecover) {
    const owner = ours.recoverableIntents.get(piId);
    if (owner) return { kind: "recover", merchantId: owner, paymentIntentId: piId };
  }
  if (merchantId && ours.merchants.has(merchantId)) {
    return exception("missing_on_our_side", { merchantId, paymentIntentId: piId ?? null, refundId: null, ours: { [what]: null } }, line,
      `The PSP reports ${what} ${line.source} (${line.type} ${line.amount} ${line.currency}, ${line.id}) that Payrail has no record of.`);
  }
  return { kind: "unattributed", detail: `The PSP reports ${what} ${line.source} (${line.id}) that names no Payrail merchant.` };
}

/** Compares a line with the balance transaction it should settle. */
function compareWithBt(line: PspBalanceLine, bt: OurBalanceTxn, owner: Owner, claimed: ReadonlyMap<string, string>, currency: string): Decision {
  if (bt.pspBalanceTransactionId === line.id) return { kind: "matched", merchantId: owner.merchantId, paymentIntentId: owner.paymentIntentId, bt: null };
  const other = bt.pspBalanceTransactionId ?? claimed.get(bt.id);
  if (other !== undefined) {
    return exception("duplicate", owner, line, `The PSP reports ${line.source} again (${line.id}); ${other} already settled our ${bt.id}.`);
  }
  if (line.amount !== bt.amount) {
    return exception("amount_mismatch", owner, line, `${line.source}: the PSP reports ${line.amount} ${line.currency}, we booked ${bt.amount} (${bt.id}).`);
  }
  if (line.fee !== bt.fee) {
    return { kind: "fee_repair", merchantId: owner.merchantId, paymentIntentId: owner.paymentIntentId, currency, bt, ourFee: bt.fee, theirFee: line.fee };
  }
  return { kind: "matched", merchantId: owner.merchantId, paymentIntentId: owner.paymentIntentId, bt };
}

function decideCharge(line: PspBalanceLine, ours: Ours, opts: DecideOptions, claimed: ReadonlyMap<string, string>): Decision {
  const c = ours.chargesByPspId.get(line.source);
  if (!c) return unknownSource(line, ours, opts, "charge");
  const owner: Owner = { merchantId: c.merchantId, paymentIntentId: c.paymentIntentId, refundId: null, ours: { charge: c.id, status: c.status, currency: c.currency, ...btSide(c.bt) } };
  if (line.currency !== c.currency) {
    return exception("currency_mismatch", owner, line, `${line.source}: the PSP reports ${line.currency}, our charge ${c.id} is in ${c.currency}.`);
  }
  if (c.status === "failed") {
    return exception("status_mismatch", owner, line, `${line.source}: the PSP reports a capture of ${line.amount}, our charge ${c.id} failed.`);
  }
  if (!c.bt) {
    if (opts.allowRecover && c.hasPendingAttempt) return { kind: "recover", merchantId: c.merchantId, paymentIntentId: c.paymentIntentId };
    return exception("status_mismatch", owner, line, `${line.source}: the PSP reports a capture of ${line.amount}, our charge ${c.id} is not captured.`);
  }
  return compareWithBt(line, c.bt, owner, claimed, c.currency);
}

function decideRefund(line: PspBalanceLine, ours: Ours, opts: DecideOptions, claimed: ReadonlyMap<string, string>): Decision {
  let r = ours.refundsByPspId.get(line.source);
  if (!r) {
    // Our refund whose PSP id we never stored (crash between the PSP's answer and our commit).
    const named = line.sourceMetadata.payrail_refund ? ours.refundsById.get(line.sourceMetadata.payrail_refund) : undefined;
    if (named && opts.allowRecover && named.hasPendingAttempt) return { kind: "recover", merchantId: named.merchantId, paymentIntentId: named.paymentIntentId };
    if (!named) return unknownSource(line, ours, opts, "refund");
    r = named;
  }
  const owner: Owner = {
    merchantId: r.merchantId,
    paymentIntentId: r.paymentIntentId,
    refundId: r.id,
    ours: { refund: r.id, status: r.status, amount: r.amount.toString(), currency: r.currency, ...btSide(r.bt) },
  };
  if (line.currency !== r.currency) {
    return exception("currency_mismatch", owner, line, `${line.source}: the PSP reports ${line.currency}, our refund ${r.id} is in ${r.currency}.`);
  }
  const pspFailed = line.type === "refund_failure" || line.sourceStatus === "failed";
  if (r.status === "failed") {
    // A failed refund moved no money on our side; at the PSP its refund and refund_failure lines net out.
    if (pspFailed) return { kind: "matched", merchantId: r.merchantId, paymentIntentId: r.paymentIntentId, bt: null };
    return exception("status_mismatch", owner, line, `${line.source}: the PSP reports the refund as ${line.sourceStatus ?? "booked"}, our refund ${r.id} failed.`);
  }
  if (r.status === "pending") {
    if (opts.allowRecover && r.hasPendingAttempt && line.sourceStatus !== "pending") {
      return { kind: "recover", merchantId: r.merchantId, paymentIntentId: r.paymentIntentId };
    }
    if (line.sourceStatus === "pending") return { kind: "skipped", reason: `refund ${r.id} is still pending at the PSP` };
    return exception("status_mismatch", owner, line, `${line.source}: the PSP reports the refund as ${line.sourceStatus ?? "booked"}, our refund ${r.id} is pending.`);
  }
  if (line.type === "refund_failure") {
    return exception("status_mismatch", owner, line, `${line.source}: the PSP reports the refund failed, our refund ${r.id} succeeded.`);
  }
  if (!r.bt) return exception("status_mismatch", owner, line, `${line.source}: our refund ${r.id} succeeded without a balance transaction.`);
  return compareWithBt(line, r.bt, owner, claimed, r.currency);
}

/** Fee adjustment journal: the PSP withheld `theirFee`, we booked `ourFee`; the difference moves between fees and the receivable. */
export function feeAdjustmentJournal(p: { lineId: string; ourFee: bigint; theirFee: bigint }) {
  const diff = p.theirFee - p.ourFee;
  if (diff === 0n) throw new Error("no fee difference to adjust");
  return {
    kind: "fee_adjustment",
    reference: `recon_fee:${p.lineId}`,
    lines: [
      { account: "psp_fees" as const, amount: diff },
      { account: "psp_receivable" as const, amount: -diff },
    ],
  };
}
