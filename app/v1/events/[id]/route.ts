import { handleGet, handleUnrecognized } from "@/server/http/rest";
import { getEvent } from "@/server/payments/queries";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleGet(request, (ctx) => getEvent(ctx, id));
}

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as POST, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
