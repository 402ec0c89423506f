/**
 * The PSP simulator: a node:http server speaking the subset of Stripe's v1 wire API Payrail uses,
 * plus an unauthenticated control API under `/_sim/` for faults, stats and test helpers.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { DEFAULT_API_VERSION, type OpCtx } from "./context";
import { handleControl, handleThreeDs, type ControlDeps } from "./control";
import { SimError, apiError, authError, errorJson, notFoundRoute } from "./errors";
import { FAULT_HEADER, FaultBook, parseFaultHeader } from "./faults";
import { decodeForm, type Params } from "../../http/stripe-form";
import { canonicalJson } from "../../idempotency/hash";
import { BodyTooLarge, CORS_HEADERS, parseApiKey, readBody, send, sleep } from "./http";
import { newId } from "./ids";
import { Persister, type DurableStoreOptions } from "./persistence/persister";
import { matchRoute } from "./routes";
import { cardFramePage, stripeJsScript } from "./stripe-js";
import { eventJson } from "./serialize";
import { Registry, type Store } from "./state";
import { DEFAULT_RETRY, WebhookDispatcher, type RetryPolicy } from "./webhooks";

export interface SimulatorOptions {
  /** 0 = random free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where events are POSTed (also settable at runtime through `POST /_sim/webhooks`). */
  webhookUrl?: string;
  /** Default 'whsec_simulator'. */
  webhookSecret?: string;
  /** Base URL put in 3DS redirect links when the listen address is not what browsers reach. */
  publicUrl?: string;
  /** Delay before a capture paid with pm_card_createDispute is disputed; default 2000 ms (0 in tests). */
  disputeDelayMs?: number;
  /** Webhook retry policy; default 5 attempts, 100ms * 2^n backoff, 5s per attempt. */
  webhookRetry?: Partial<RetryPolicy>;
  /** Keep state in this data folder across restarts; without it the state lives in memory only. */
  store?: DurableStoreOptions;
}

export interface RunningSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const IDEMPOTENCY_KEY_MAX = 255;

class Simulator {
  readonly reg = new Registry();
  readonly faults = new FaultBook();
  readonly webhooks: WebhookDispatcher;
  readonly control: ControlDeps;
  baseUrl = "";
  persist: Persister | null = null;
  private closed = false;
  private readonly hanging = new Set<NodeJS.Timeout>();

  constructor(opts: SimulatorOptions) {
    const secret = opts.webhookSecret || "whsec_simulator";
    this.webhooks = new WebhookDispatcher(this.faults, opts.webhookUrl ? { url: opts.webhookUrl, secret } : null, { ...DEFAULT_RETRY, ...opts.webhookRetry });
    if (opts.disputeDelayMs !== undefined) this.reg.disputeDelayMs = opts.disputeDelayMs;
    this.reg.hasWebhookEndpoint = (apiKey) => this.webhooks.endpointFor(apiKey) !== null;
    this.reg.onEvent = (evt, store) => {
      if (evt.pendingWebhooks > 0) this.webhooks.enqueue(JSON.stringify(eventJson(evt)), store.apiKey, store.stats);
    };
    this.control = {
      reg: this.reg,
      faults: this.faults,
      webhooks: this.webhooks,
      defaultWebhookSecret: secret,
      ctxFor: (store) => this.ctx(store, newId("req", 14), null, DEFAULT_API_VERSION),
    };
  }

  ctx(store: Store, requestId: string | null, idempotencyKey: string | null, apiVersion: string): OpCtx {
    return { reg: this.reg, store, faults: this.faults, baseUrl: this.baseUrl, requestId, idempotencyKey, apiVersion };
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.route(req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        send(res, 413, JSON.stringify({ error: { type: "invalid_request_error", message: "Request body too large." } }), {});
        return;
      }
      console.error("[psp-simulator] unhandled error", err);
      send(res, 500, errorJson(apiError("Internal simulator error.")), {});
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.local");
    const path = url.pathname;
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...CORS_HEADERS, "Access-Control-Max-Age": "600" });
      res.end();
      return;
    }
    if (path.startsWith("/v1/")) return this.handleV1(req, res, url);
    const raw = await readBody(req);
    if (this.persist) this.flushBeforeAnswer(res);
    if (path.startsWith("/_sim/") && handleControl(this.control, req, res, url, raw)) return;
    if (path.startsWith("/3ds/") && handleThreeDs(this.control, req, res, url, raw)) return;
    if (req.method === "GET" && (path === "/v3" || path === "/v3/")) {
      return send(res, 200, stripeJsScript(this.baseUrl), { "Cache-Control": "public, max-age=300" }, "text/javascript; charset=utf-8");
    }
    if (req.method === "GET" && path === "/elements/card") {
      return send(res, 200, cardFramePage(url.searchParams), { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" }, "text/html; charset=utf-8");
    }
    send(res, 404, errorJson(notFoundRoute(req.method ?? "GET", path)), {});
  }

  /** Control and 3DS routes answer synchronously: write their changes before the response goes out. */
  private flushBeforeAnswer(res: ServerResponse): void {
    const persist = this.persist;
    if (!persist) return;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      persist.flush();
      return end(...args);
    }) as ServerResponse["end"];
  }

  private async handleV1(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? "GET";
    const path = url.pathname;
    const requestId = newId("req", 14);
    const versionHeader = req.headers["stripe-version"];
    const apiVersion = (Array.isArray(versionHeader) ? versionHeader[0] : versionHeader) || DEFAULT_API_VERSION;
    const headers: Record<string, string> = { "Request-Id": requestId, "Stripe-Version": apiVersion };
    const reply = (status: number, body: string, extra: Record<string, string> = {}): void => send(res, status, body, { ...headers, ...extra });
    const fail = (err: SimError): void => reply(err.status, errorJson(err), err.headers);

    const raw = await readBody(req);
    const auth = parseApiKey(req.headers.authorization);
    if ("error" in auth) return fail(authError(auth.error));
    const match = matchRoute(method, path);
    if (!match) return fail(notFoundRoute(method, path));
    if (auth.kind === "publishable" && !match.route.publishable && !match.route.clientSecret) {
      return fail(authError("This API call cannot be made with a publishable API key. Please use a secret API key."));
    }

    let params: Params;
    try {
      params = this.parseParams(url, raw, req.headers["content-type"]);
    } catch (e) {
      if (e instanceof SimError) return fail(e);
      throw e;
    }

    let apiKey = auth.key;
    let store = this.reg.store(apiKey);
    if (auth.kind === "publishable" && match.route.clientSecret) {
      // Stripe.js acts on one intent with the publishable key and that intent's client_secret.
      const id = match.args[0] ?? "";
      const owner = this.reg.owners.get(id);
      const pi = owner?.paymentIntents.get(id);
      if (!owner || !pi || typeof params.client_secret !== "string" || params.client_secret !== pi.clientSecret) {
        return fail(new SimError(404, { type: "invalid_request_error", code: "resource_missing", param: "intent", message: `No such payment_intent: '${id}'` }, { storable: false }));
      }
      store = owner;
      apiKey = owner.apiKey;
    }
    store.stats.requests += 1;

    const requested = parseFaultHeader(req.headers[FAULT_HEADER]);
    if (requested.fail5xx || this.faults.take5xx(apiKey, path)) {
      store.stats.faults.fail5xx += 1;
      return fail(apiError("Simulated API error (fail5xx fault); nothing was committed."));
    }

    const idemHeader = req.headers["idempotency-key"];
    const idemKey = method === "POST" ? (Array.isArray(idemHeader) ? idemHeader[0] : idemHeader) || null : null;
    let hash = "";
    if (idemKey) {
      headers["Idempotency-Key"] = idemKey;
      if (idemKey.length > IDEMPOTENCY_KEY_MAX) {
        return fail(new SimError(400, { type: "invalid_request_error", param: "Idempotency-Key", message: `Idempotency-Key is too long (max ${IDEMPOTENCY_KEY_MAX} characters).` }, { storable: false }));
      }
      hash = createHash("sha256").update(`${method} ${path} ${canonicalJson(params)}`).digest("hex");
      const prior = store.getIdempotency(idemKey);
      if (prior) {
        if (prior.state === "running") {
          return fail(
            new SimError(
              409,
              {
                type: "invalid_request_error",
                code: "idempotency_key_in_use",
                message: `There is currently another in-progress request using this Idempotency-Key (that probably means you submitted twice, and the other request is still going through): ${idemKey}. Please try again later.`,
              },
              { storable: false, headers: { "Stripe-Should-Retry": "true" } },
            ),
          );
        }
        if (prior.hash !== hash) {
          return fail(
            new SimError(
              400,
              {
                type: "idempotency_error",
                message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
              },
              { storable: false },
            ),
          );
        }
        store.stats.idempotentReplays += 1;
        return reply(prior.status, prior.body, { "Idempotent-Replayed": "true", "Original-Request": prior.requestId });
      }
      store.setIdempotency(idemKey, { method, path, hash, state: "running", status: 0, body: "", requestId });
    }

    const latency = Math.max(requested.latencyMs, this.faults.latencyMs(apiKey));
    if (latency > 0) await sleep(latency);
    if (this.closed) return;

    let status: number;
    let body: string;
    let extra: Record<string, string> = {};
    let storable = true;
    try {
      const call = () => match.route.handler({ ctx: this.ctx(store, requestId, idemKey, apiVersion), params, args: match.args });
      const result = this.persist && method === "GET" ? this.persist.reading(call) : call();
      status = result.status;
      body = JSON.stringify(result.body);
    } catch (e) {
      if (!(e instanceof SimError)) console.error("[psp-simulator] handler error", e);
      const err = e instanceof SimError ? e : apiError("Internal simulator error.");
      status = err.status;
      body = errorJson(err);
      extra = err.headers;
      storable = err.storable;
    }

    if (idemKey) {
      if (storable) store.setIdempotency(idemKey, { method, path, hash, state: "done", status, body, requestId });
      else store.deleteIdempotency(idemKey);
    }
    // An answered call is durable: its effects and idempotent result are written (one journal line) first.
    const durable = this.persist?.commit();
    if (durable) await durable;

    const hang = requested.timeoutAfterCommit ?? this.faults.takeTimeout(apiKey, path);
    if (hang) {
      store.stats.faults.timeoutAfterCommit += 1;
      const t = setTimeout(() => {
        this.hanging.delete(t);
        if (hang.destroy) req.socket.destroy();
        else reply(status, body, extra);
      }, hang.hangMs);
      this.hanging.add(t);
      return;
    }
    reply(status, body, extra);
  }

  private parseParams(url: URL, raw: string, contentType: string | undefined): Params {
    const query = url.search.length > 1 ? decodeForm(url.search.slice(1)) : {};
    if (!raw) return query;
    if (contentType?.includes("application/json")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new SimError(400, { type: "invalid_request_error", message: "Invalid JSON body." }, { storable: false });
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new SimError(400, { type: "invalid_request_error", message: "JSON body must be an object." }, { storable: false });
      }
      return { ...query, ...(parsed as Params) };
    }
    return { ...query, ...decodeForm(raw) };
  }

  shutdown(): void {
    this.closed = true;
    for (const t of this.hanging) clearTimeout(t);
    this.hanging.clear();
    this.webhooks.close();
    this.reg.clearTimers();
    this.persist?.close();
  }
}

function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = opts.host ?? "127.0.0.1";
  const sim = new Simulator(opts);
  if (opts.store) sim.persist = Persister.open(sim.reg, opts.store);
  const server: Server = createServer({ keepAliveTimeout: 5000, requestTimeout: 0 }, (req, res) => sim.handle(req, res));
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => {
      sim.shutdown(); // releases the data folder for a retry on another port
      reject(err);
    });
    server.listen(opts.port ?? 0, host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${displayHost(host)}:${port}`;
  sim.baseUrl = (opts.publicUrl ?? url).replace(/\/+$/, "");
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        sim.shutdown();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
