import { listLineItemsPage } from "@/server/checkout/service";
import { handleGet, handleUnrecognized } from "@/server/http/rest";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleGet(request, (ctx) => listLineItemsPage(ctx, id, ctx.url.searchParams));
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as POST, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
