import { getBalanceTransaction } from "@/server/charges/queries";
import { handleGet } from "@/server/http/rest";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handleGet(request, (ctx) => getBalanceTransaction(ctx, id));
}
