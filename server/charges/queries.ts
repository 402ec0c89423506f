import { BALANCE_TRANSACTION_TYPES, type BalanceTransactionType } from "@/db/schema/statuses";
import { DomainError } from "../errors";
import type { PaymentsContext } from "../payments/context";
import { page } from "../payments/queries";
import { serializeList } from "../payments/serialize";
import { findBalanceTransaction, findCharge, listBalanceTransactions, listCharges } from "./repository";
import { serializeBalanceTransaction, serializeCharge } from "./serialize";

/** Read side of /v1/charges and /v1/balance_transactions. */
type Ctx = Pick<PaymentsContext, "db"> & { merchantId: string };

export async function getCharge(ctx: Ctx, id: string) {
  const c = await findCharge(ctx.db, ctx.merchantId, id);
  if (!c) throw new DomainError("resource_missing", `No such charge: '${id}'`, { param: "id" });
  return serializeCharge(c);
}

export async function listChargesPage(ctx: Ctx, params: URLSearchParams) {
  const paymentIntentId = params.get("payment_intent") ?? undefined;
  const { rows, hasMore } = await listCharges(ctx.db, { merchantId: ctx.merchantId, paymentIntentId, ...(await page(params, "charge", (id) => findCharge(ctx.db, ctx.merchantId, id))) });
  return serializeList("/v1/charges", rows.map(serializeCharge), hasMore);
}

export async function getBalanceTransaction(ctx: Ctx, id: string) {
  const t = await findBalanceTransaction(ctx.db, ctx.merchantId, id);
  if (!t) throw new DomainError("resource_missing", `No such balance transaction: '${id}'`, { param: "id" });
  return serializeBalanceTransaction(t);
}

const isType = (v: string): v is BalanceTransactionType => (BALANCE_TRANSACTION_TYPES as readonly string[]).includes(v);

export async function listBalanceTransactionsPage(ctx: Ctx, params: URLSearchParams) {
  const source = params.get("source") ?? undefined;
  const type = params.get("type") ?? undefined;
  if (type !== undefined && !isType(type)) {
    throw new DomainError("parameter_invalid", `Invalid type: must be one of ${BALANCE_TRANSACTION_TYPES.join(", ")}.`, { param: "type" });
  }
  const paymentIntentId = params.get("payrail_payment_intent") ?? undefined;
  const { rows, hasMore } = await listBalanceTransactions(ctx.db, { merchantId: ctx.merchantId, source, type, paymentIntentId, ...(await page(params, "balance_transaction", (id) => findBalanceTransaction(ctx.db, ctx.merchantId, id))) });
  return serializeList("/v1/balance_transactions", rows.map((t) => serializeBalanceTransaction(t)), hasMore);
}
