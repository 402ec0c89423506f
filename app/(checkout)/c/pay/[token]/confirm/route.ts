import { confirmHosted } from "@/server/checkout/confirm-route";
import { loadSessionTarget } from "@/server/checkout/hosted";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return confirmHosted(request, (ctx) => loadSessionTarget(ctx, token));
}
