import { handleGet } from "@/server/http/rest";
import { getEvent } from "@/server/payments/queries";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleGet(request, (ctx) => getEvent(ctx, id));
}
