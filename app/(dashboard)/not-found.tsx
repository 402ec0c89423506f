import Link from "next/link";

export default function NotFound() {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-1 text-sm text-slate-600">There is nothing here, or it belongs to another merchant.</p>
      <Link className="mt-4 inline-block text-sm font-medium text-indigo-700 underline" href="/payments">
        Back to payments
      </Link>
    </div>
  );
}
