import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/server/env";
import { checkoutPspOrigins } from "@/server/checkout/stripe-js-config";
import { contentSecurityPolicy } from "@/server/http/csp";
import { isSafePath } from "@/server/http/input-guard";

/**
 * Two jobs, nothing else (every page and procedure authorizes itself):
 * - /v1 paths holding a %-escape that is not UTF-8: Next would answer a plain-text 500 while
 *   decoding the route params; answer Stripe's JSON 404 first.
 * - pages: a per-request nonce and the strict Content-Security-Policy (server/http/csp.ts); Next
 *   puts the nonce on its own scripts when the request carries the header.
 */
export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith("/v1/")) {
    if (isSafePath(request.nextUrl.pathname)) return NextResponse.next();
    return NextResponse.json(
      { error: { type: "invalid_request_error", code: "resource_missing", message: "No such object: the URL path is not valid UTF-8 text." } },
      { status: 404 },
    );
  }
  const nonce = btoa(crypto.randomUUID());
  // Only the hosted checkout (/c/pay/..., /pay/...) may talk to and frame the PSP.
  const isCheckout = /^\/(c\/)?pay\//.test(request.nextUrl.pathname);
  const csp = contentSecurityPolicy(nonce, { dev: env().NODE_ENV === "development", ...(isCheckout ? { psp: checkoutPspOrigins() } : {}) });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    "/v1/:path(.*%.*)",
    // Pages only: not the APIs, webhooks or static files.
    { source: "/((?!api/|v1/|_next/static|_next/image|favicon.ico).*)" },
  ],
};
