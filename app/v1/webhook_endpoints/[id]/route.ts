import { handleGet, handlePost } from "@/server/http/rest";
import { deleteWebhookEndpoint, getWebhookEndpoint, serializeEndpoint, updateWebhookEndpoint } from "@/server/webhooks/endpoints";
import { updateWebhookEndpointInput } from "@/server/webhooks/schemas";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params) {
  const { id } = await params;
  return handleGet(request, (ctx) => getWebhookEndpoint(ctx, id));
}

export async function POST(request: Request, { params }: Params) {
  const { id } = await params;
  return handlePost(request, updateWebhookEndpointInput, (ctx, input) => updateWebhookEndpoint(ctx, id, input), (row) => serializeEndpoint(row));
}

/** handleGet authenticates and serializes; DELETE has no body. */
export async function DELETE(request: Request, { params }: Params) {
  const { id } = await params;
  return handleGet(request, (ctx) => deleteWebhookEndpoint(ctx, id));
}
