"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatMinor } from "@/lib/money";
import { useTRPC } from "@/trpc/client";
import { ConfirmAction } from "./payment-actions";
import { RefundDialog } from "./refund-dialog";
import { StatusBadge } from "./status-badge";

const dt = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const KIND_LABEL = { event: "Event", psp: "PSP call", ledger: "Ledger", refund: "Refund" } as const;

export function PaymentDetailView({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data: p } = useSuspenseQuery(trpc.payments.detail.queryOptions({ id }));
  const { data: me } = useSuspenseQuery(trpc.session.me.queryOptions());
  const money = (minor: string) => formatMinor(minor, p.currency);
  return (
    <div className="grid gap-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-sm text-slate-600">Payment</p>
          <h1 className="flex items-center gap-3 text-3xl font-semibold tracking-tight">
            {money(p.amountMinor)} <StatusBadge group={p.statusGroup} />
          </h1>
          <code className="text-sm text-slate-700">{p.id}</code>
        </div>
        <div className="flex flex-wrap gap-2">
          {p.actions.capture ? <ConfirmAction paymentId={p.id} kind="capture" /> : null}
          {p.actions.refund ? <RefundDialog paymentId={p.id} currency={p.currency} refundableMinor={p.refundableMinor} reauthAbove={me.refundReauthAbove} /> : null}
          {p.actions.cancel ? <ConfirmAction paymentId={p.id} kind="cancel" /> : null}
        </div>
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-1">
          <CardHeader>
            <CardTitle>Details</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
              <dt className="text-slate-600">Captured</dt>
              <dd>{money(p.amountReceivedMinor)}</dd>
              <dt className="text-slate-600">Refunded</dt>
              <dd>{money(p.amountRefundedMinor)}</dd>
              <dt className="text-slate-600">Capture</dt>
              <dd>{p.captureMethod}</dd>
              <dt className="text-slate-600">Card</dt>
              <dd>{p.card?.last4 ? `${p.card.brand ?? "card"} •••• ${p.card.last4}` : "—"}</dd>
              <dt className="text-slate-600">Customer</dt>
              <dd className="break-all">{p.email ?? p.customer ?? "—"}</dd>
              <dt className="text-slate-600">Description</dt>
              <dd>{p.description ?? "—"}</dd>
              <dt className="text-slate-600">Created</dt>
              <dd>{dt.format(new Date(p.createdAt))} UTC</dd>
              {Object.entries(p.metadata).map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-slate-600">{k}</dt>
                  <dd className="break-all">{v}</dd>
                </div>
              ))}
            </dl>
            {p.lastPaymentError ? <p className="mt-3 rounded bg-red-50 p-2 text-sm text-red-800">Last error: {p.lastPaymentError}</p> : null}
          </CardContent>
        </Card>

        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Refunds</CardTitle>
          </CardHeader>
          <CardContent>
            {p.refunds.length === 0 ? (
              <p className="text-sm text-slate-600">No refunds.</p>
            ) : (
              <ul className="grid gap-2 text-sm" aria-label="Refunds">
                {p.refunds.map((r) => (
                  <li key={r.id} className="flex flex-wrap justify-between gap-2">
                    <span className="font-medium">{money(r.amountMinor)}</span>
                    <span>{r.status}</span>
                    <code className="text-xs text-slate-700">{r.id}</code>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Timeline</CardTitle>
        </CardHeader>
        <CardContent>
          <ol className="grid gap-3" aria-label="Timeline">
            {p.timeline.map((t, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: entries of one render, ordered by time
              <li key={i} className="border-l-2 border-slate-200 pl-3">
                <p className="text-xs text-slate-600">
                  {dt.format(new Date(t.at))} UTC · {KIND_LABEL[t.kind]}
                </p>
                <p className="text-sm font-medium">{t.title}</p>
                {t.detail ? <p className="text-xs break-all text-slate-700">{t.detail}</p> : null}
                {t.lines ? (
                  <ul className="mt-1 grid gap-0.5 text-xs">
                    {t.lines.map((l, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: lines of one journal, in posting order
                      <li key={j} className="flex max-w-md justify-between gap-4">
                        <span>{l.account}</span>
                        <span className="tabular-nums">{formatMinor(l.amountMinor, l.currency)}</span>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ol>
        </CardContent>
      </Card>
    </div>
  );
}
