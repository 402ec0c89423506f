import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { CheckoutPage } from "@/components/checkout/checkout-page";
import { localeFrom } from "@/server/checkout/format";
import { loadSessionTarget } from "@/server/checkout/hosted";
import { stripeJsConfig } from "@/server/checkout/stripe-js-config";
import { getDatabase } from "@/server/db";
import { getPsp } from "@/server/psp";

type Props = { params: Promise<{ token: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/** A Checkout Session's hosted page; the token in the URL is the customer's only credential. */
export default async function CheckoutSessionPage({ params, searchParams }: Props) {
  const [{ token }, query, h] = await Promise.all([params, searchParams, headers()]);
  const target = await loadSessionTarget({ db: getDatabase().db, psp: getPsp() }, token);
  if (!target) notFound();
  // Back from 3-D Secure and paid: on to the merchant, as after any success.
  if (target.view.state === "complete" && query.redirect_status && target.view.successUrl) redirect(target.view.successUrl);
  return <CheckoutPage view={target.view} stripe={stripeJsConfig()} locale={localeFrom(h.get("accept-language"))} />;
}
