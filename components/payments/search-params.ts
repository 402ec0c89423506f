import { createLoader, parseAsString, parseAsStringLiteral } from "nuqs/server";
import { STATUS_GROUP_KEYS } from "@/server/dashboard/payment-filters";

/** The payments list's URL state; the page (server) and the table (client) read the same map. */
export const paymentSearchParams = {
  q: parseAsString.withDefault(""),
  status: parseAsStringLiteral(STATUS_GROUP_KEYS),
  currency: parseAsString,
  from: parseAsString,
  to: parseAsString,
  after: parseAsString,
  before: parseAsString,
};

export const loadPaymentSearchParams = createLoader(paymentSearchParams);

type Values = { [K in keyof typeof paymentSearchParams]: ReturnType<(typeof paymentSearchParams)[K]["parseServerSide"]> };

/** URL values to the list procedure's input (empty values are no filter). */
export function toListInput(v: Values) {
  const day = (d: string | null) => (d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : undefined);
  return {
    q: v.q.trim() || undefined,
    status: v.status ?? undefined,
    currency: v.currency && /^[a-z]{3}$/.test(v.currency) ? v.currency : undefined,
    from: day(v.from),
    to: day(v.to),
    after: v.after ?? undefined,
    before: v.before ?? undefined,
    limit: 25,
  };
}
