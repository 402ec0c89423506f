import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { charges, paymentIntents } from "@/db/schema";
import { CURRENCY_EXPONENTS } from "../money/currencies";
import { type PaymentListInput, paymentListInput, STATUS_GROUPS, statusGroupOf } from "./payment-filters";

export interface PaymentListRow {
  id: string;
  amountMinor: string;
  currency: string;
  status: string;
  statusGroup: string;
  email: string | null;
  customer: string | null;
  description: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  orderId: string | null;
  createdAt: string;
}

const exponents = (e: number) => Object.entries(CURRENCY_EXPONENTS).filter(([, x]) => x === e).map(([c]) => c);

/** "12.50" or "1250" as an amount in each exponent's minor units it can mean. */
function amountMatches(q: string): SQL[] {
  const m = /^(\d{1,12})(?:\.(\d{1,3}))?$/.exec(q);
  if (!m) return [];
  const [, whole, frac = ""] = m;
  const out: SQL[] = [];
  for (const e of [0, 2, 3]) {
    if (frac.length > e) continue;
    const minor = BigInt(whole! + frac.padEnd(e, "0"));
    out.push(and(inArray(paymentIntents.currency, exponents(e)), eq(paymentIntents.amount, minor))!);
  }
  return out;
}

/** One search box: an id, a customer email, a card's last 4 digits, an amount or a metadata order id. All exact. */
function searchCondition(merchantId: string, raw: string): SQL {
  const q = raw.trim();
  const alternatives: SQL[] = [eq(paymentIntents.id, q), sql`${paymentIntents.metadata}->>'order_id' = ${q}`, sql`${paymentIntents.metadata}->>'order' = ${q}`];
  if (q.includes("@")) alternatives.push(sql`lower(${paymentIntents.receiptEmail}) = ${q.toLowerCase()}`);
  if (/^\d{4}$/.test(q)) {
    alternatives.push(
      sql`exists (select 1 from ${charges} c where c.payment_intent_id = ${paymentIntents.id} and c.merchant_id = ${merchantId} and c.card_last4 = ${q})`,
    );
  }
  alternatives.push(...amountMatches(q));
  return or(...alternatives)!;
}

/** The dashboard's payments list: filtered, searched, newest first, keyset-paginated in both directions. */
export async function listPaymentsForDashboard(db: DbOrTx, merchantId: string, raw: PaymentListInput) {
  const p = paymentListInput.parse(raw);
  const conds: SQL[] = [eq(paymentIntents.merchantId, merchantId)];
  if (p.status) conds.push(inArray(paymentIntents.status, [...STATUS_GROUPS[p.status].statuses]));
  if (p.currency) conds.push(eq(paymentIntents.currency, p.currency));
  if (p.from) conds.push(gte(paymentIntents.createdAt, new Date(`${p.from}T00:00:00Z`)));
  if (p.to) conds.push(lt(paymentIntents.createdAt, new Date(new Date(`${p.to}T00:00:00Z`).getTime() + 86_400_000)));
  if (p.q) conds.push(searchCondition(merchantId, p.q));
  const cursor = p.after ?? p.before;
  if (cursor) {
    const cmp = p.after ? sql`<` : sql`>`;
    conds.push(
      sql`(${paymentIntents.createdAt}, ${paymentIntents.id}) ${cmp} (select c.created_at, c.id from ${paymentIntents} c where c.id = ${cursor} and c.merchant_id = ${merchantId})`,
    );
  }
  const order = p.before ? [asc(paymentIntents.createdAt), asc(paymentIntents.id)] : [desc(paymentIntents.createdAt), desc(paymentIntents.id)];
  const found = await db
    .select({ pi: paymentIntents, cardBrand: charges.cardBrand, cardLast4: charges.cardLast4 })
    .from(paymentIntents)
    .leftJoin(charges, eq(charges.id, paymentIntents.latestChargeId))
    .where(and(...conds))
    .orderBy(...order)
    .limit(p.limit + 1);
  const more = found.length > p.limit;
  const page = found.slice(0, p.limit);
  if (p.before) page.reverse();
  const rows: PaymentListRow[] = page.map(({ pi, cardBrand, cardLast4 }) => ({
    id: pi.id,
    amountMinor: pi.amount.toString(),
    currency: pi.currency,
    status: pi.status,
    statusGroup: statusGroupOf(pi.status),
    email: pi.receiptEmail,
    customer: pi.customer,
    description: pi.description,
    cardBrand,
    cardLast4,
    orderId: pi.metadata.order_id ?? pi.metadata.order ?? null,
    createdAt: pi.createdAt.toISOString(),
  }));
  // Going forward (or from the top) "more" means older rows exist; going back, it means newer ones do.
  const hasOlder = p.before ? true : more;
  const hasNewer = p.before ? more : Boolean(p.after);
  return { rows, hasOlder, hasNewer, firstId: rows[0]?.id ?? null, lastId: rows.at(-1)?.id ?? null };
}
