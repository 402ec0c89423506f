import { listBalanceTransactionsPage } from "@/server/charges/queries";
import { handleGet } from "@/server/http/rest";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handleGet(request, (ctx) => listBalanceTransactionsPage(ctx, ctx.url.searchParams));
