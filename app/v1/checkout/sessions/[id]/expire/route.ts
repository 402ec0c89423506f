import { expireCheckoutSession } from "@/server/checkout/service";
import { expireCheckoutSessionInput } from "@/server/checkout/schemas";
import { serializeCheckoutSession } from "@/server/checkout/serialize";
import { handlePost, handleUnrecognized } from "@/server/http/rest";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handlePost(request, expireCheckoutSessionInput, (ctx, _input, opts) => expireCheckoutSession(ctx, id, opts), (s) => serializeCheckoutSession(s));
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as GET, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
