import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getDatabase } from "@/server/db";
import { getPsp } from "@/server/psp";
import { appRouter } from "@/server/trpc/root";

export const dynamic = "force-dynamic";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => ({
      db: getDatabase().db,
      psp: getPsp(),
      apiKey: /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "")?.[1] ?? null,
    }),
  });

export { handler as GET, handler as POST };
