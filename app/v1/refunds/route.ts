import { handleGet, handlePost } from "@/server/http/rest";
import { listRefundsPage } from "@/server/payments/queries";
import { createRefundInput } from "@/server/payments/schemas";
import { serializeRefund } from "@/server/payments/serialize";
import { createRefund } from "@/server/refunds/service";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listRefundsPage(ctx, ctx.url.searchParams));

export const POST = (request: Request) =>
  handlePost(request, createRefundInput, (ctx, input, opts) => createRefund(ctx, ctx.merchantId, input, opts), serializeRefund);
