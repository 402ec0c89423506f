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
<form method="post" action="/3ds/${id}/complete"><input type="hidden" name="outcome" value="success"><button type="submit" id="complete">Complete</button></form>
<form method="post" action="/3ds/${id}/complete"><input type="hidden" name="outcome" value="fail"><button type="submit" id="fail">Fail</button></form>`
    : `<p>This payment has a status of <code>${escapeHtml(pi.status)}</code>; there is nothing to authenticate.</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>3D Secure test</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}form{display:inline-block;margin-right:.5rem}button{font-size:1rem;padding:.5rem 1rem}</style>
</head><body><h1>3D Secure test page</h1><p>PaymentIntent <code>${id}</code></p>${body}</body></html>`;
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
