import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { sameOrigin } from "@/server/http/origin";
import { createTRPCContext } from "@/server/trpc/context";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

const handler = (req: Request) => {
  // Mutations are POSTs authenticated by a cookie: only this site's own pages may send them.
  if (req.method === "POST" && !sameOrigin(req.headers, req.url)) {
    return Response.json({ error: { message: "Cross-origin request refused.", code: "FORBIDDEN" } }, { status: 403 });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    responseMeta: ({ ctx }) => (ctx ? { headers: new Headers({ "request-id": ctx.requestId }) } : {}),
  });
};

export { handler as GET, handler as POST };
