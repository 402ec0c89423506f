import { DomainError } from "../errors";
import type { PaymentsContext } from "../payments/context";
import { page } from "../payments/queries";
import { serializeList } from "../payments/serialize";
import { disputeBalanceTransactions, findDispute, listDisputes } from "./repository";
import { serializeDispute } from "./serialize";

/** Read side of /v1/disputes. */
type Ctx = Pick<PaymentsContext, "db"> & { merchantId: string };

export async function getDispute(ctx: Ctx, id: string) {
  const d = await findDispute(ctx.db, ctx.merchantId, id);
  if (!d) throw new DomainError("resource_missing", `No such dispute: '${id}'`, { param: "dispute" });
  return serializeDispute(d, await disputeBalanceTransactions(ctx.db, ctx.merchantId, [d.id]));
}

export async function listDisputesPage(ctx: Ctx, params: URLSearchParams) {
  const paymentIntentId = params.get("payment_intent") ?? undefined;
  const chargeId = params.get("charge") ?? undefined;
  params.delete("payment_intent");
  params.delete("charge");
  const { rows, hasMore } = await listDisputes(ctx.db, {
    merchantId: ctx.merchantId,
    paymentIntentId,
    chargeId,
    ...(await page(params, "dispute", (id) => findDispute(ctx.db, ctx.merchantId, id))),
  });
  const txns = await disputeBalanceTransactions(ctx.db, ctx.merchantId, rows.map((r) => r.id));
  return serializeList("/v1/disputes", rows.map((r) => serializeDispute(r, txns)), hasMore);
}
