/** The 3-D Secure challenge page a `redirect_to_url` next action points at. */
import type { PaymentIntentRec } from "./state";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

function formatAmount(amount: number, currency: string): string {
  const major = Math.trunc(amount / 100);
  const minor = String(amount % 100).padStart(2, "0");
  return `${major}.${minor} ${currency.toUpperCase()}`;
}

export function challengePage(pi: PaymentIntentRec): string {
  const id = escapeHtml(pi.id);
  const pending = pi.status === "requires_action";
  const body = pending
    ? `<p>Authenticate a payment of <strong>${escapeHtml(formatAmount(pi.amount, pi.currency))}</strong>.</p>
<form method="post" action="/3ds/${id}/complete"><input type="hidden" name="outcome" value="success"><button type="submit" id="complete" class="primary">Complete authentication</button></form>
<form method="post" action="/3ds/${id}/complete"><input type="hidden" name="outcome" value="fail"><button type="submit" id="fail">Fail authentication</button></form>`
    : `<p>This payment has a status of <code>${escapeHtml(pi.status)}</code>; there is nothing to authenticate.</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>3D Secure test</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f8fafc;max-width:26rem;margin:3rem auto;padding:0 1rem}main{background:#fff;border:1px solid #e2e8f0;border-radius:12px;padding:1.5rem;box-shadow:0 1px 2px rgba(0,0,0,.05)}h1{font-size:1.25rem;margin:0 0 .5rem}code{font-size:.8rem;color:#475569}form{display:block;margin-top:.75rem}button{width:100%;font:inherit;font-weight:600;padding:.75rem 1rem;border-radius:8px;border:1px solid #cbd5e1;background:#fff;cursor:pointer}button.primary{background:#0f172a;color:#fff;border-color:#0f172a}button:focus-visible{outline:3px solid #6366f1;outline-offset:2px}</style>
</head><body><main><h1>3D Secure test page</h1><p>Simulated bank challenge for PaymentIntent <code>${id}</code></p>${body}</main></body></html>`;
}

export function messagePage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

/** Stripe appends these to the return_url after a redirect-based authentication. */
export function returnLocation(pi: PaymentIntentRec): string | null {
  if (!pi.returnUrl) return null;
  try {
    const url = new URL(pi.returnUrl);
    url.searchParams.set("payment_intent", pi.id);
    url.searchParams.set("payment_intent_client_secret", pi.clientSecret);
    url.searchParams.set("redirect_status", pi.status === "succeeded" || pi.status === "requires_capture" ? "succeeded" : "failed");
    return url.toString();
  } catch {
    return null;
  }
}
