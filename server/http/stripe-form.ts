/**
 * Decoding of Stripe's form encoding: `metadata[order]=o_1`, `expand[0]=a`, `expand[]=b`,
 * `card[number]=4242...`. Brackets may arrive raw or %-encoded. Objects whose keys are all
 * array indices become arrays.
 */

export type Params = Record<string, unknown>;

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

function splitKey(key: string): string[] | null {
  const open = key.indexOf("[");
  if (open === -1) return [key];
  const parts = [key.slice(0, open)];
  const re = /\[([^\]]*)\]/g;
  re.lastIndex = open;
  let consumed = open;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) !== null) {
    if (m.index !== consumed) return null;
    parts.push(m[1] ?? "");
    consumed = re.lastIndex;
  }
  return consumed === key.length ? parts : null;
}

type Node = Record<string, unknown>;

function assign(root: Node, parts: string[], value: string): void {
  let node: Node = root;
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i] ?? "";
    if (FORBIDDEN.has(part)) return;
    const last = i === parts.length - 1;
    if (part === "" && i > 0) part = String(Object.keys(node).length);
    if (last) {
      node[part] = value;
      return;
    }
    const existing = node[part];
    if (existing !== null && typeof existing === "object") {
      node = existing as Node;
    } else {
      const child: Node = {};
      node[part] = child;
      node = child;
    }
  }
}

function arrayify(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const obj = value as Node;
  const keys = Object.keys(obj);
  for (const k of keys) obj[k] = arrayify(obj[k]);
  if (keys.length > 0 && keys.every((k) => /^(0|[1-9]\d*)$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => obj[String(k)]);
  }
  return obj;
}

export function decodeForm(body: string): Params {
  const root: Node = {};
  if (!body) return root;
  const search = new URLSearchParams(body);
  for (const [key, value] of search) {
    const parts = splitKey(key);
    if (parts === null) {
      if (!FORBIDDEN.has(key)) root[key] = value;
      continue;
    }
    assign(root, parts, value);
  }
  const out: Node = {};
  for (const k of Object.keys(root)) out[k] = arrayify(root[k]);
  return out;
}

/** Canonical string of decoded params (sorted keys) for idempotency request hashing. */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(",")}]`;
  const obj = value as Node;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(",")}}`;
}
