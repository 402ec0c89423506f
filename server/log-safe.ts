/**
 * What may be logged about an unexpected error. Messages are left out on purpose: drizzle's
 * "Failed query: ... params: ..." and PostgreSQL's own messages ("invalid input syntax ...: <value>",
 * "Key (id)=(...) already exists") and JSON.parse errors quote request data, which can hold card
 * numbers typed into a description. Class names, SQL states, schema identifiers and stack frames
 * are enough to find the bug when joined with the request id.
 */
export interface SafeErrorLog {
  errorClass: string;
  /** DomainError code, Node system error code (ECONNRESET) or PostgreSQL SQLSTATE. */
  code?: string;
  sqlState?: string;
  constraint?: string;
  table?: string;
  routine?: string;
  cause?: SafeErrorLog;
  /** Stack frames only (the first lines of a stack repeat the message). */
  frames?: string[];
}

const MAX_FRAMES = 12;
const MAX_CAUSES = 3;

const stringField = (e: object, key: string): string | undefined => {
  const v = (e as Record<string, unknown>)[key];
  return typeof v === "string" && v.length <= 128 ? v : undefined;
};

export function safeErrorLog(e: unknown, depth = 0): SafeErrorLog {
  if (!(e instanceof Error)) return { errorClass: e === null ? "null" : typeof e };
  const isPostgres = e.name === "PostgresError";
  const code = stringField(e, "code");
  const out: SafeErrorLog = {
    errorClass: e.constructor?.name && e.constructor.name !== "Error" ? e.constructor.name : e.name,
    ...(code && !isPostgres ? { code } : {}),
    ...(isPostgres && code ? { sqlState: code } : {}),
    ...(isPostgres ? { constraint: stringField(e, "constraint_name"), table: stringField(e, "table_name"), routine: stringField(e, "routine") } : {}),
    frames: (e.stack ?? "")
      .split("\n")
      .filter((line) => /^\s+at /.test(line))
      .slice(0, MAX_FRAMES)
      .map((line) => line.trim()),
  };
  if (e.cause !== undefined && depth < MAX_CAUSES) out.cause = safeErrorLog(e.cause, depth + 1);
  return out;
}
