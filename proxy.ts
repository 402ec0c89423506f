import { NextResponse, type NextRequest } from "next/server";
import { isSafePath } from "@/server/http/input-guard";

/**
 * Next decodes a route's path parameters before any handler runs and answers a plain-text 500 when
 * a %-escape is not UTF-8 (`/v1/payment_intents/pi_%ff`). Such a path names no object: answer
 * Stripe's JSON 404 first. Only paths holding a %-escape come here, so other requests pay nothing.
 */
export function proxy(request: NextRequest) {
  if (isSafePath(request.nextUrl.pathname)) return NextResponse.next();
  return NextResponse.json(
    { error: { type: "invalid_request_error", code: "resource_missing", message: "No such object: the URL path is not valid UTF-8 text." } },
    { status: 404 },
  );
}

export const config = { matcher: ["/v1/:path(.*%.*)"] };
