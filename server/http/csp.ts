/**
 * The pages' Content-Security-Policy: scripts only from this origin with this response's nonce
 * ('strict-dynamic' lets Next's own chunks and the PSP's script they insert load), no plugins, no
 * framing of us, forms only to ourselves. Styles allow inline attributes (Radix positions popovers
 * with style=""). Only the hosted checkout adds its PSP's origins: the card frame and the calls of
 * the PSP's script (server/checkout/stripe-js-config.ts says which).
 */
export interface PspOrigins {
  script: readonly string[];
  frame: readonly string[];
  connect: readonly string[];
}

const NONE: PspOrigins = { script: [], frame: [], connect: [] };
const list = (xs: readonly string[]) => (xs.length ? ` ${xs.join(" ")}` : "");

export function contentSecurityPolicy(nonce: string, opts: { dev?: boolean; psp?: PspOrigins } = {}): string {
  const psp = opts.psp ?? NONE;
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}${list(psp.script)}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${list(psp.connect)}`,
    psp.frame.length ? `frame-src${list(psp.frame)}` : "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
