import { handleGet, handlePost, handleUnrecognized } from "@/server/http/rest";
import { updatePaymentIntentDetails } from "@/server/payments/orchestrator";
import { checkClientSecret } from "@/server/payments/publishable";
import { getPaymentIntent } from "@/server/payments/queries";
import { updatePaymentIntentInput } from "@/server/payments/schemas";
import { serializePaymentIntent } from "@/server/payments/serialize";

type Params = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: Params) {
  const { id } = await params;
  // Stripe.js retrieves with the publishable key and the intent's client_secret.
  return handleGet(
    request,
    async (ctx) => {
      await checkClientSecret(ctx, id, ctx.url.searchParams.get("client_secret"));
      return getPaymentIntent(ctx, id);
    },
    { publishable: true },
  );
}

export async function POST(request: Request, { params }: Params) {
  const { id } = await params;
  return handlePost(request, updatePaymentIntentInput, (ctx, input, opts) => updatePaymentIntentDetails(ctx, ctx.merchantId, id, input, opts), serializePaymentIntent);
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
