import { handlePost, handleUnrecognized } from "@/server/http/rest";
import { capturePaymentIntent } from "@/server/payments/orchestrator";
import { capturePaymentIntentInput } from "@/server/payments/schemas";
import { serializePaymentIntent } from "@/server/payments/serialize";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handlePost(request, capturePaymentIntentInput, (ctx, input, opts) => capturePaymentIntent(ctx, ctx.merchantId, id, input, opts), serializePaymentIntent);
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as GET, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
