import { MEMBER_ROLES, type MemberRole } from "@/db/schema/statuses";

export { MEMBER_ROLES, type MemberRole };

const ALL = MEMBER_ROLES;
const MONEY: readonly MemberRole[] = ["owner", "admin", "finance"];

/**
 * Who may call what: every tRPC procedure of the dashboard, by role at the current merchant.
 * The one source for the procedures' guards (server/trpc/init.ts), the role test
 * (server/trpc/access.integration.test.ts, which fails on a procedure missing here) and the docs
 * (README, generated from this table by `accessTableMarkdown`). A platform admin acts as "admin".
 */
export const ACCESS = {
  "session.me": ALL,
  "payments.list": ALL,
  "payments.get": ALL,
  "payments.detail": ALL,
  "payments.getRefund": ALL,
  "payments.create": ["owner", "admin", "developer"],
  "payments.confirm": ["owner", "admin", "developer"],
  "payments.capture": MONEY,
  "payments.cancel": MONEY,
  "payments.refund": MONEY,
  "ledger.trialBalance": ["owner", "admin", "finance", "viewer"],
} as const satisfies Record<string, readonly MemberRole[]>;

export type ProcedurePath = keyof typeof ACCESS;

export const can = (role: MemberRole, path: ProcedurePath): boolean => (ACCESS[path] as readonly MemberRole[]).includes(role);

/** Dashboard pages and the procedure whose access decides who sees them (and their navigation link). */
export const PAGES = [
  { href: "/payments", label: "Payments", procedure: "payments.list" },
  { href: "/ledger", label: "Ledger", procedure: "ledger.trialBalance" },
] as const satisfies readonly { href: string; label: string; procedure: ProcedurePath }[];

export function accessTableMarkdown(): string {
  const head = `| procedure | ${MEMBER_ROLES.join(" | ")} |\n| --- |${MEMBER_ROLES.map(() => " :-: |").join("")}`;
  const rows = Object.keys(ACCESS).map((p) => `| \`${p}\` | ${MEMBER_ROLES.map((r) => (can(r, p as ProcedurePath) ? "yes" : "-")).join(" | ")} |`);
  return [head, ...rows].join("\n");
}
