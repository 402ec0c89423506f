import { getDispute } from "@/server/disputes/queries";
import { updateDisputeInput } from "@/server/disputes/schemas";
import { updateDispute } from "@/server/disputes/service";
import { handleGet, handlePost, handleUnrecognized } from "@/server/http/rest";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params) {
  const { id } = await params;
  return handleGet(request, (ctx) => getDispute(ctx, id));
}

export async function POST(request: Request, { params }: Params) {
  const { id } = await params;
  return handlePost(request, updateDisputeInput, (ctx, input, opts) => updateDispute(ctx, ctx.merchantId, id, input, opts), (d) => d);
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
