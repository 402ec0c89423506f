import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";

/**
 * Serves the real Next route handler modules over HTTP without a Next build, so API tests can drive
 * them with the official stripe SDK in-process. Routing mirrors the app/ folder.
 */
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type RouteModule = Partial<Record<Method, Handler>>;

const ROUTES: [RegExp, () => Promise<RouteModule>][] = [
  [/^\/v1\/payment_intents$/, () => import("@/app/v1/payment_intents/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/payment_intents\/(?<id>[^/]+)$/, () => import("@/app/v1/payment_intents/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/payment_intents\/(?<id>[^/]+)\/confirm$/, () => import("@/app/v1/payment_intents/[id]/confirm/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/payment_intents\/(?<id>[^/]+)\/capture$/, () => import("@/app/v1/payment_intents/[id]/capture/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/payment_intents\/(?<id>[^/]+)\/cancel$/, () => import("@/app/v1/payment_intents/[id]/cancel/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/refunds$/, () => import("@/app/v1/refunds/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/refunds\/(?<id>[^/]+)$/, () => import("@/app/v1/refunds/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/charges$/, () => import("@/app/v1/charges/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/charges\/(?<id>[^/]+)$/, () => import("@/app/v1/charges/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/balance_transactions$/, () => import("@/app/v1/balance_transactions/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/balance_transactions\/(?<id>[^/]+)$/, () => import("@/app/v1/balance_transactions/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/events$/, () => import("@/app/v1/events/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/events\/(?<id>[^/]+)$/, () => import("@/app/v1/events/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/checkout\/sessions$/, () => import("@/app/v1/checkout/sessions/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/checkout\/sessions\/(?<id>[^/]+)$/, () => import("@/app/v1/checkout/sessions/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/checkout\/sessions\/(?<id>[^/]+)\/expire$/, () => import("@/app/v1/checkout/sessions/[id]/expire/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/checkout\/sessions\/(?<id>[^/]+)\/line_items$/, () => import("@/app/v1/checkout/sessions/[id]/line_items/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/disputes$/, () => import("@/app/v1/disputes/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/disputes\/(?<id>[^/]+)$/, () => import("@/app/v1/disputes/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/disputes\/(?<id>[^/]+)\/close$/, () => import("@/app/v1/disputes/[id]/close/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/webhook_endpoints$/, () => import("@/app/v1/webhook_endpoints/route") as unknown as Promise<RouteModule>],
  [/^\/v1\/webhook_endpoints\/(?<id>[^/]+)$/, () => import("@/app/v1/webhook_endpoints/[id]/route") as unknown as Promise<RouteModule>],
  [/^\/api\/webhooks\/stripe$/, () => import("@/app/api/webhooks/stripe/route") as unknown as Promise<RouteModule>],
  [/^\/api\/trpc\/[^/]+$/, () => import("@/app/api/trpc/[trpc]/route") as unknown as Promise<RouteModule>],
  // Last, like Next's catch-all: any other /v1 path.
  [/^\/v1\/.+$/, () => import("@/app/v1/[...path]/route") as unknown as Promise<RouteModule>],
];

async function toRequest(req: IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  return new Request(new URL(req.url ?? "/", base), { method: req.method, headers, body: req.method === "GET" ? undefined : body });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

export async function startApiServer(listenPort = 0): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    try {
      const base = `http://${req.headers.host ?? "127.0.0.1"}`;
      const path = new URL(req.url ?? "/", base).pathname;
      // Like Next: the proxy sees paths with %-escapes first, then route params arrive decoded.
      if (path.includes("%")) {
        const { proxy } = await import("@/proxy");
        const early = proxy(new NextRequest(new URL(req.url ?? "/", base)));
        if (!early.headers.has("x-middleware-next")) return void send(res, early);
      }
      for (const [re, load] of ROUTES) {
        const m = re.exec(path);
        if (!m) continue;
        const mod = await load();
        const handler = mod[(req.method ?? "GET") as Method];
        if (!handler) break;
        const params = Object.fromEntries(Object.entries({ ...m.groups }).map(([k, v]) => [k, decodeURIComponent(v)]));
        const response = await handler(await toRequest(req, base), { params: Promise.resolve(params) });
        await send(res, response);
        return;
      }
      res.writeHead(405);
      res.end();
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((r) => server.close(() => r())) };
}
