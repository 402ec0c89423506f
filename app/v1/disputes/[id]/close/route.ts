import { closeDisputeInput } from "@/server/disputes/schemas";
import { closeDispute } from "@/server/disputes/service";
import { handlePost, handleUnrecognized } from "@/server/http/rest";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handlePost(request, closeDisputeInput, (ctx, _input, opts) => closeDispute(ctx, ctx.merchantId, id, opts), (d) => d);
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as GET, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
