import { DrizzleAdapter } from "@auth/drizzle-adapter";
import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { authAccounts, authSessions, authVerificationTokens, users } from "@/db/schema";
import { getDatabase } from "../db";
import { authSecret } from "./local-secret";
import { findUserByEmail } from "./membership";
import { verifyPassword } from "./password";
import { clientIp, recordSignIn, signInBlocked } from "./rate-limit";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string } & DefaultSession["user"];
  }
}

/** Shown on the sign-in page; says nothing about whether the account exists. */
class TooManyAttempts extends CredentialsSignin {
  code = "rate_limited";
}

const credentials = z.object({ email: z.email().max(320), password: z.string().min(1).max(1024) });

/** Hours a dashboard session lasts without activity. */
const SESSION_MAX_AGE_S = 8 * 60 * 60;

/**
 * Auth.js v5. Credentials sign-in needs JWT sessions (the adapter's database sessions only serve
 * OAuth/email providers); the token carries the user id and email only: roles are read from the
 * database on every request (server/auth/membership.ts). Cookies are httpOnly, SameSite=Lax, and
 * Secure with the __Secure- prefix whenever the app is served over https.
 */
export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const db = getDatabase().db;
  return {
    adapter: DrizzleAdapter(db, { usersTable: users, accountsTable: authAccounts, sessionsTable: authSessions, verificationTokensTable: authVerificationTokens }),
    secret: authSecret(),
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/login" },
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw, request) {
          const parsed = credentials.safeParse(raw);
          if (!parsed.success) return null;
          const email = parsed.data.email.trim().toLowerCase();
          const ip = clientIp(request.headers);
          if (await signInBlocked(db, email, ip)) throw new TooManyAttempts();
          const user = await findUserByEmail(db, email);
          const ok = await verifyPassword(user?.passwordHash, parsed.data.password);
          await recordSignIn(db, email, ip, ok);
          return ok && user ? { id: user.id, email: user.email, name: user.name } : null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user?.id) token.uid = user.id;
        return token;
      },
      session({ session, token }) {
        if (typeof token.uid === "string") session.user.id = token.uid;
        return session;
      },
    },
  };
});
