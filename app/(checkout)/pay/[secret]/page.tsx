import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { CheckoutPage } from "@/components/checkout/checkout-page";
import { localeFrom } from "@/server/checkout/format";
import { loadIntentTarget } from "@/server/checkout/hosted";
import { stripeJsConfig } from "@/server/checkout/stripe-js-config";
import { getDatabase } from "@/server/db";
import { getPsp } from "@/server/psp";

type Props = { params: Promise<{ secret: string }> };

/** A bare payment intent paid through its client_secret. */
export default async function PayIntentPage({ params }: Props) {
  const [{ secret }, h] = await Promise.all([params, headers()]);
  const target = await loadIntentTarget({ db: getDatabase().db, psp: getPsp() }, decodeURIComponent(secret));
  if (!target) notFound();
  return <CheckoutPage view={target.view} stripe={stripeJsConfig()} locale={localeFrom(h.get("accept-language"))} />;
}
