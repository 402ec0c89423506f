import { handlePost, handleUnrecognized } from "@/server/http/rest";
import { confirmPaymentIntent } from "@/server/payments/orchestrator";
import { checkClientSecret } from "@/server/payments/publishable";
import { confirmPaymentIntentInput } from "@/server/payments/schemas";
import { serializePaymentIntent } from "@/server/payments/serialize";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Stripe.js confirms with the publishable key and the intent's client_secret.
  return handlePost(
    request,
    confirmPaymentIntentInput,
    async (ctx, input, opts) => {
      await checkClientSecret(ctx, id, input.client_secret);
      return confirmPaymentIntent(ctx, ctx.merchantId, id, input, opts);
    },
    serializePaymentIntent,
    { publishable: true },
  );
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as GET, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
