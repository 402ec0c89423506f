import { createCheckoutSession, listCheckoutSessionsPage } from "@/server/checkout/service";
import { createCheckoutSessionInput } from "@/server/checkout/schemas";
import { serializeCheckoutSession } from "@/server/checkout/serialize";
import { handleGet, handlePost, handleUnrecognized } from "@/server/http/rest";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listCheckoutSessionsPage(ctx, ctx.url.searchParams));

export const POST = (request: Request) =>
  handlePost(request, createCheckoutSessionInput, (ctx, input, opts) => createCheckoutSession(ctx, input, opts), (s) => serializeCheckoutSession(s));

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
