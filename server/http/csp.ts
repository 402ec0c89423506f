/**
 * The pages' Content-Security-Policy: scripts only from this origin with this response's nonce
 * ('strict-dynamic' lets Next's own chunks load), no plugins, no framing, forms only to ourselves.
 * Styles allow inline attributes (Radix positions popovers with style=""). The hosted checkout will
 * add its PSP here: CHECKOUT_PSP_ORIGINS (e.g. https://js.stripe.com for script-src and frame-src).
 */
export const CHECKOUT_PSP_ORIGINS: readonly string[] = [];

export function contentSecurityPolicy(nonce: string, dev = false): string {
  const psp = CHECKOUT_PSP_ORIGINS.join(" ");
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""} ${psp}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src 'none'${psp ? ` ${psp}` : ""}`.replace("'none' ", ""),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
