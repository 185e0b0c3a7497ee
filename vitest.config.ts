import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // Next.js resolves server-only under the react-server condition; tests are server code too.
      "server-only": `${root}tests/support/empty-module.ts`,
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**", "e2e/**", "**/.next/**", ".local/**"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: [
            "**/node_modules/**",
            "**/.next/**",
            ".local/**",
            "tests/faults/**",
            "tests/ops/**",
            "tests/cluster/**",
          ],
          environment: "node",
          globalSetup: ["./tests/integration/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // Stops and starts the real servers: each file runs its own stack, one file at a time.
        extends: true,
        test: {
          name: "faults",
          include: ["tests/faults/**/*.int.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // Operations drills (a database dropped and restored): a stack and databases of their own.
        extends: true,
        test: {
          name: "ops",
          include: ["tests/ops/**/*.int.test.ts"],
          environment: "node",
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // A three-broker cluster of its own (kafka.sh start --brokers 3): brokers killed under load.
        extends: true,
        test: {
          name: "cluster",
          include: ["tests/cluster/**/*.int.test.ts"],
          environment: "node",
          testTimeout: 600_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
