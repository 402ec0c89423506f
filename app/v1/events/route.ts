import { handleGet } from "@/server/http/rest";
import { listEventsPage } from "@/server/payments/queries";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listEventsPage(ctx, ctx.url.searchParams));
