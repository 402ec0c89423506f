import { handleGet, handlePost, handleUnrecognized } from "@/server/http/rest";
import { listRefundsPage } from "@/server/payments/queries";
import { createRefundInput } from "@/server/refunds/schemas";
import { serializeRefund } from "@/server/payments/serialize";
import { createRefund } from "@/server/refunds/service";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listRefundsPage(ctx, ctx.url.searchParams));

export const POST = (request: Request) =>
  handlePost(request, createRefundInput, (ctx, input, opts) => createRefund(ctx, ctx.merchantId, input, opts), serializeRefund);

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
