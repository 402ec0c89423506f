import { handleGet, handlePost, handleUnrecognized } from "@/server/http/rest";
import { createPaymentIntent } from "@/server/payments/orchestrator";
import { listPaymentIntentsPage } from "@/server/payments/queries";
import { createPaymentIntentInput } from "@/server/payments/schemas";
import { serializePaymentIntent } from "@/server/payments/serialize";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listPaymentIntentsPage(ctx, ctx.url.searchParams));

export const POST = (request: Request) =>
  handlePost(request, createPaymentIntentInput, (ctx, input, opts) => createPaymentIntent(ctx, ctx.merchantId, input, opts), serializePaymentIntent);

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
