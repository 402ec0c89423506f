import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { sessionFromHeaders } from "@/server/auth/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in · Payrail", robots: { index: false } };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  const signedIn = await sessionFromHeaders(await headers());
  if (signedIn && error !== "no_merchant") redirect("/payments");
  return (
    <main className="mx-auto flex min-h-[80vh] max-w-sm flex-col justify-center px-6 py-12">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in to Payrail</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">The dashboard for payments, refunds and the ledger.</p>
      <LoginForm next={next?.startsWith("/") && !next.startsWith("//") ? next : "/payments"} notice={error === "no_merchant" ? "Your account has no access to a merchant." : null} />
    </main>
  );
}
