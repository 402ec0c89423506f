import { handleGet, handleUnrecognized } from "@/server/http/rest";
import { listDisputesPage } from "@/server/disputes/queries";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listDisputesPage(ctx, ctx.url.searchParams));

/** Methods this path does not serve: Stripe's JSON 404 rather than an empty 405. */
export { handleUnrecognized as POST, handleUnrecognized as PUT, handleUnrecognized as PATCH, handleUnrecognized as DELETE };
