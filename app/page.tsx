export default function Home() {
  return (
    <main className="mx-auto max-w-2xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Payrail</h1>
      <p className="mt-3 text-slate-600">
        Self-hostable payments: payment intents, idempotent merchant API, double-entry ledger.
      </p>
      <section className="mt-8 rounded-lg border border-slate-200 bg-white p-5 text-sm">
        <h2 className="font-medium">Merchant API</h2>
        <p className="mt-2 text-slate-600">
          Stripe-compatible subset under <code className="rounded bg-slate-100 px-1">/v1</code>. Point the official
          <code className="rounded bg-slate-100 px-1">stripe</code> SDK at this host with your secret key.
        </p>
        <pre className="mt-3 overflow-x-auto rounded bg-slate-900 p-3 text-slate-100">
{`curl -u sk_test_...: -d amount=2000 -d currency=usd \\
  -d payment_method=pm_card_visa -d confirm=true \\
  http://localhost:3000/v1/payment_intents`}
        </pre>
      </section>
    </main>
  );
}
