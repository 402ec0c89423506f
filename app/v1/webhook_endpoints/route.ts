import { handleGet, parseInput, readParams } from "@/server/http/rest";
import { createWebhookEndpoint, listWebhookEndpointsPage, serializeEndpoint } from "@/server/webhooks/endpoints";
import { createWebhookEndpointInput } from "@/server/webhooks/schemas";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listWebhookEndpointsPage(ctx, ctx.url.searchParams));

/** Not through handlePost: its stored idempotent response would keep the signing secret in clear (see createWebhookEndpoint). */
export const POST = (request: Request) =>
  handleGet(request, async (ctx) => {
    const input = parseInput(createWebhookEndpointInput, await readParams(request));
    const { row, secret } = await createWebhookEndpoint(ctx, input, request.headers.get("idempotency-key") ?? undefined);
    return serializeEndpoint(row, secret);
  });
