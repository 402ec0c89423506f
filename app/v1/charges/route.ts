import { listChargesPage } from "@/server/charges/queries";
import { handleGet } from "@/server/http/rest";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listChargesPage(ctx, ctx.url.searchParams));
