import { confirmHosted } from "@/server/checkout/confirm-route";
import { loadIntentTarget } from "@/server/checkout/hosted";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ secret: string }> }) {
  const { secret } = await params;
  return confirmHosted(request, (ctx) => loadIntentTarget(ctx, decodeURIComponent(secret)));
}
