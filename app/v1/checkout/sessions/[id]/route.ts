import { getCheckoutSession } from "@/server/checkout/service";
import { serializeCheckoutSession } from "@/server/checkout/serialize";
import { handleGet, handleUnrecognized } from "@/server/http/rest";

type Params = { params: Promise<{ id: string }> };
export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: Params) {
  const { id } = await params;
  return handleGet(request, async (ctx) => serializeCheckoutSession(await getCheckoutSession(ctx, id)));
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as POST, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
