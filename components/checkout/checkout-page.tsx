import { CheckCircle2, Clock, Lock, XCircle } from "lucide-react";
import type { CSSProperties, ReactNode } from "react";
import { formatAmount } from "@/server/checkout/format";
import type { HostedView } from "@/server/checkout/hosted";
import type { StripeJsConfig } from "@/server/checkout/stripe-js-config";
import { PaymentForm } from "./payment-form";

const DEFAULT_BRAND = "#0f172a";

/** The hosted checkout: order summary beside (desktop) or above (phone) the payment form, or a closed state. */
export function CheckoutPage({ view, stripe, locale }: { view: HostedView; stripe: StripeJsConfig | null; locale: string }) {
  const brand = view.brandColor && /^#[0-9a-fA-F]{6}$/.test(view.brandColor) ? view.brandColor : DEFAULT_BRAND;
  const total = formatAmount(view.amountTotal, view.currency, locale);
  return (
    <div style={{ "--brand": brand } as CSSProperties} className="min-h-screen bg-white lg:bg-[linear-gradient(90deg,#f8fafc_50%,#fff_50%)]">
      <div className="mx-auto grid max-w-5xl lg:min-h-screen lg:grid-cols-2">
        <OrderSummary view={view} total={total} locale={locale} />
        <main className="px-5 pb-12 pt-6 sm:px-8 lg:px-12 lg:pt-16">
          <div className="mx-auto max-w-md">
            {view.state === "open" ? (
              stripe ? (
                <>
                  <h2 className="mb-5 text-lg font-semibold text-slate-900">Pay with card</h2>
                  <PaymentForm
                    publishableKey={stripe.publishableKey}
                    scriptUrl={stripe.scriptUrl}
                    brandColor={brand}
                    payLabel={`Pay ${total}`}
                    confirmPath={`${view.pagePath}/confirm`}
                    email={view.customerEmail}
                    initialError={view.errorMessage}
                  />
                </>
              ) : (
                <ClosedState icon={<XCircle />} title="Payments are not available right now." text="This store cannot take card payments at the moment. Please try again later." />
              )
            ) : (
              <Closed view={view} />
            )}
            {view.state === "open" && (
              <p className="mt-8 flex items-center justify-center gap-1.5 text-xs text-slate-500">
                <Lock aria-hidden="true" className="size-3.5 shrink-0" /> Card details go straight to the payment processor, never to {view.merchantName}.
              </p>
            )}
          </div>
        </main>
      </div>
    </div>
  );
}

function OrderSummary({ view, total, locale }: { view: HostedView; total: string; locale: string }) {
  return (
    <aside aria-labelledby="summary-title" className="border-b border-slate-200 bg-slate-50 px-5 pb-6 pt-6 sm:px-8 lg:border-b-0 lg:bg-transparent lg:px-12 lg:pt-16">
      <div className="mx-auto max-w-md">
        <div className="flex items-center gap-3">
          <span aria-hidden="true" className="flex size-8 items-center justify-center rounded-full bg-[var(--brand)] text-sm font-semibold text-white">
            {view.merchantName.slice(0, 1).toUpperCase()}
          </span>
          <h1 className="text-base font-medium text-slate-800">{view.merchantName}</h1>
        </div>
        <h2 id="summary-title" className="sr-only">
          Order summary
        </h2>
        <p className="mt-6 text-sm text-slate-500">{view.state === "complete" ? "Total paid" : "Total due"}</p>
        <p className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{total}</p>
        <ul className="mt-6 divide-y divide-slate-200 border-y border-slate-200">
          {view.lineItems.map((li) => (
            <li key={li.id} className="flex items-start justify-between gap-4 py-3 text-sm">
              <div className="min-w-0">
                <p className="truncate font-medium text-slate-900">{li.name}</p>
                {li.quantity > 1 && (
                  <p className="text-slate-500">
                    Qty {li.quantity} × {formatAmount(li.unitAmount, view.currency, locale)}
                  </p>
                )}
              </div>
              <p className="shrink-0 font-medium text-slate-900 tabular-nums">{formatAmount(li.amountTotal, view.currency, locale)}</p>
            </li>
          ))}
        </ul>
        <div className="mt-3 flex justify-between text-sm font-semibold text-slate-900">
          <span>Total</span>
          <span className="tabular-nums">{total}</span>
        </div>
        {view.cancelUrl && view.state === "open" && (
          <a href={view.cancelUrl} className="mt-6 inline-block text-sm text-slate-600 underline-offset-4 hover:text-slate-900 hover:underline">
            ← Back to {view.merchantName}
          </a>
        )}
      </div>
    </aside>
  );
}

function Closed({ view }: { view: HostedView }) {
  switch (view.state) {
    case "expired":
      return <ClosedState icon={<Clock />} title="This checkout session has expired." text="No payment was taken. Return to the store to start again." back={view.cancelUrl} merchant={view.merchantName} />;
    case "complete":
      return <ClosedState icon={<CheckCircle2 className="!text-emerald-600" />} title="This checkout session is already paid." text="Thank you! Your payment was received; there is nothing more to pay." back={view.successUrl} merchant={view.merchantName} />;
    case "processing":
      return <ClosedState icon={<Clock />} title="Your payment is being processed." text="Please wait a moment and reload this page. You will not be charged twice." />;
    default:
      return <ClosedState icon={<XCircle />} title="This payment has been cancelled." text="No payment was taken." back={view.cancelUrl} merchant={view.merchantName} />;
  }
}

function ClosedState({ icon, title, text, back, merchant }: { icon: ReactNode; title: string; text: string; back?: string | null; merchant?: string }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 text-center shadow-sm [&_svg]:mx-auto [&_svg]:size-10 [&_svg]:text-slate-400">
      {icon}
      <h2 className="mt-4 text-lg font-semibold text-slate-900">{title}</h2>
      <p className="mt-2 text-sm text-slate-600">{text}</p>
      {back && (
        <a href={back} className="mt-5 inline-flex h-10 items-center rounded-lg border border-slate-300 px-4 text-sm font-medium text-slate-900 hover:bg-slate-50">
          Return to {merchant}
        </a>
      )}
    </section>
  );
}
