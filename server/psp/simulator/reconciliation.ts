/**
 * `POST /_sim/reconciliation`: makes the balance report (`/v1/balance_transactions`) disagree with
 * what Payrail recorded, one mismatch class at a time, and seeds large synthetic reports for the
 * reconciliation bench. Lines are found by `balance_transaction` (txn_) or `source` (a ch_, re_ or
 * pi_ id; a payment intent means its latest charge).
 */
import { processingFee } from "./fees";
import { newId } from "./ids";
import type { Params } from "../../http/stripe-form";
import type { BalanceTxnRec, Registry, Store } from "./state";

export type ReportResult = { ok: true; body: Record<string, unknown> } | { ok: false; status: number; message: string };

const fail = (message: string, status = 400): ReportResult => ({ ok: false, status, message });

function int(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d{1,15}$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The store named by apiKey, or the only one there is. */
function storeOf(reg: Registry, apiKey: string | undefined): Store | undefined {
  if (apiKey) return reg.store(apiKey);
  return reg.stores.size === 1 ? [...reg.stores.values()][0] : undefined;
}

function findLine(store: Store, body: Params): BalanceTxnRec | undefined {
  const txn = str(body.balance_transaction);
  if (txn) return store.balanceTransactions.get(txn);
  let source = str(body.source);
  if (!source) return undefined;
  if (source.startsWith("pi_")) source = store.paymentIntents.get(source)?.latestCharge ?? undefined;
  if (!source) return undefined;
  const type = str(body.type);
  const all = store.balanceTransactions.values();
  for (let i = all.length - 1; i >= 0; i--) {
    const t = all[i]!;
    if (t.source === source && (!type || t.type === type)) return t;
  }
  return undefined;
}

const lineJson = (t: BalanceTxnRec) => ({ id: t.id, type: t.type, source: t.source, amount: t.amount, fee: t.fee, net: t.net, currency: t.currency, created: t.created });

export function alterReport(reg: Registry, body: Params): ReportResult {
  const store = storeOf(reg, str(body.apiKey));
  if (!store) return fail("apiKey is required when the simulator serves several API keys.");
  const kind = str(body.kind);
  const now = reg.clock.now();

  if (kind === "seed") {
    const count = int(body.count);
    if (count === undefined || count < 1 || count > 1_000_000) return fail("count must be an integer between 1 and 1000000.");
    const amount = int(body.amount) ?? 1000;
    const fee = processingFee(amount);
    const currency = str(body.currency)?.toLowerCase() ?? "usd";
    const prefix = str(body.source_prefix) ?? `ch_seed${now}_`;
    const created = int(body.created) ?? now;
    for (let i = 0; i < count; i++) {
      store.balanceTransactions.add({ id: newId("txn"), created, amount, fee, net: amount - fee, currency, type: "charge", reportingCategory: "charge", source: `${prefix}${i}`, description: null });
    }
    return { ok: true, body: { seeded: count, source_prefix: prefix, amount, fee, currency, created } };
  }

  if (kind === "unknown_charge") {
    // A charge made at the PSP that Payrail never heard of; `merchant` puts payrail_merchant in its metadata.
    const amount = int(body.amount) ?? 1000;
    if (amount < 1) return fail("amount must be positive.");
    const currency = str(body.currency)?.toLowerCase() ?? "usd";
    const fee = processingFee(amount);
    const metadata: Record<string, string> = {};
    const merchant = str(body.merchant);
    if (merchant) metadata.payrail_merchant = merchant;
    const id = newId("ch");
    const txn = store.balanceTransactions.add({ id: newId("txn"), created: now, amount, fee, net: amount - fee, currency, type: "charge", reportingCategory: "charge", source: id, description: null });
    store.charges.add({
      id, created: now, amount, amountCaptured: amount, amountRefunded: 0, captured: true, status: "succeeded", currency,
      paymentIntent: "", paymentMethod: "pm_card_visa", metadata, description: null, balanceTransaction: txn.id,
      failureCode: null, failureMessage: null, declineCode: null, disputed: false, threeDSecure: false,
    });
    return { ok: true, body: { charge: id, line: lineJson(txn) } };
  }

  const line = findLine(store, body);
  if (!line) return fail("No such balance transaction: name it by balance_transaction or source.", 404);
  store.balanceTransactions.touch(line); // found by scanning: tell the durable store it may change
  switch (kind) {
    case "amount": {
      const amount = int(body.amount);
      if (amount === undefined) return fail("amount must be an integer.");
      line.amount = amount;
      line.net = amount - line.fee;
      return { ok: true, body: { line: lineJson(line) } };
    }
    case "fee": {
      const fee = int(body.fee);
      if (fee === undefined || fee < 0) return fail("fee must be a non-negative integer.");
      line.fee = fee;
      line.net = line.amount - fee;
      return { ok: true, body: { line: lineJson(line) } };
    }
    case "currency": {
      const currency = str(body.currency)?.toLowerCase();
      if (!currency || !/^[a-z]{3}$/.test(currency)) return fail("currency must be a three-letter code.");
      line.currency = currency;
      return { ok: true, body: { line: lineJson(line) } };
    }
    case "drop":
      store.balanceTransactions.remove(line.id);
      return { ok: true, body: { dropped: line.id } };
    case "duplicate": {
      const copy = store.balanceTransactions.add({ ...line, id: newId("txn"), created: now });
      return { ok: true, body: { line: lineJson(copy), duplicates: line.id } };
    }
    case "refund_failure": {
      // The PSP reports the refund failed after all (a status mismatch when Payrail booked it as succeeded).
      if (line.type !== "refund") return fail("refund_failure needs a refund's line.");
      const failure = store.balanceTransactions.add({ ...line, id: newId("txn"), created: now, amount: -line.amount, net: -line.net, type: "refund_failure", reportingCategory: "refund_failure", description: "REFUND FAILURE" });
      return { ok: true, body: { line: lineJson(failure) } };
    }
    default:
      return fail("kind must be one of seed, unknown_charge, amount, fee, currency, drop, duplicate, refund_failure.");
  }
}
