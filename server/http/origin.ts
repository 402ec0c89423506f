import { env } from "../env";

/**
 * Cross-site request forgery guard for cookie-authenticated mutations: the browser's Origin must be
 * this deployment (the Host the request came to, or PAYRAIL_PUBLIC_URL). A request without an
 * Origin is refused too: every browser sends one on POST.
 */
export function sameOrigin(headers: Headers, requestUrl: string): boolean {
  const origin = headers.get("origin");
  if (!origin || origin === "null") return false;
  const allowed = new Set<string>();
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  const proto = headers.get("x-forwarded-proto") ?? new URL(requestUrl).protocol.replace(":", "");
  if (host) allowed.add(`${proto}://${host}`);
  allowed.add(new URL(requestUrl).origin);
  const pub = env().PAYRAIL_PUBLIC_URL;
  if (pub) allowed.add(new URL(pub).origin);
  return allowed.has(origin);
}
