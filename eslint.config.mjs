import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

// ---- Layers (docs/architecture.md, "Layers"): app → lib/services, db/queries → lib/domain;
// workers → lib/*; lib/domain → nothing with I/O; lib and db never → workers or app.
// TRICKY: when two blocks set `no-restricted-imports` for one file, the later block's options
// replace the earlier ones, so each block below lists every restriction of its folders.

const upward = "(@/|(\\.\\./)+)";

/** Only lib/kafka/ talks to kafkajs. */
const noKafkajs = {
  paths: [{ name: "kafkajs", message: "Only lib/kafka/ imports kafkajs: use or add a function there." }],
};

/** lib/ and db/ sit below workers/ and app/. */
const noUpwardImports = {
  patterns: [
    {
      regex: `^${upward}(workers|app)(/|$)`,
      message:
        "lib/ and db/ never import workers/ or app/: move what both need into lib/ (pure code: lib/domain/).",
    },
  ],
};

/** Routes read through db/queries and write through lib/services. */
const noDatabaseDriver = {
  paths: [
    { name: "drizzle-orm", message: "No SQL in app/: read through db/queries, write through lib/services." },
    { name: "postgres", message: "No SQL in app/: read through db/queries, write through lib/services." },
  ],
  patterns: [
    {
      regex: "^drizzle-orm/",
      message: "No SQL in app/: read through db/queries, write through lib/services.",
    },
  ],
};

/** Components and pages get their data from API routes: only types cross from server code. */
const serverCodeTypesOnly = {
  patterns: [
    {
      regex: `^${upward}(db|lib/services|lib/kafka|lib/queues)(/|$)|^${upward}lib/redis$`,
      allowTypeImports: true,
      message: 'Components and pages ("use client" or rendered by one) import only types from server code.',
    },
  ],
};

/** lib/domain/ is pure: no I/O package, no adapter, no process state. */
const pureDomain = {
  patterns: [
    {
      regex:
        "^(kafkajs|ioredis|postgres|drizzle-orm|bullmq|pino|prom-client|next|react|react-dom|server-only)(/|$)",
      message: "lib/domain/ is pure: no I/O package. Let a service or a worker do the I/O and pass data in.",
    },
    {
      regex: "^(node:)?(fs|net|http|https|http2|dns|dgram|tls|child_process|cluster|worker_threads)(/|$)",
      message: "lib/domain/ is pure: no I/O module. Let a service or a worker do the I/O and pass data in.",
    },
    {
      regex: "^@/(db|components)(/|$)|^@/lib/(kafka|queues|services|realtime|http|openapi)(/|$)",
      message: "lib/domain/ is pure: it imports no adapter, service or route code.",
    },
    {
      regex: "^@/lib/(redis|logger|env|metrics|metrics-cluster|health|retry-transaction)$",
      message:
        "lib/domain/ is pure: no logger, config, metrics or connection. Pass what it needs as arguments.",
    },
    {
      regex: "^@/lib/alerts/dto$",
      allowTypeImports: true,
      message: "lib/alerts/dto.ts maps stored rows: lib/domain/ may use its types only.",
    },
    {
      regex: "^\\.\\./\\.\\./",
      message: "Leave lib/domain/ through an @/ import, so that these rules see where it goes.",
    },
  ],
};

function restrictImports(...sets) {
  return {
    "no-restricted-imports": [
      "error",
      { paths: sets.flatMap((set) => set.paths ?? []), patterns: sets.flatMap((set) => set.patterns ?? []) },
    ],
  };
}

const layers = [
  { files: ["**/*.ts", "**/*.tsx"], rules: restrictImports(noKafkajs) },
  { files: ["lib/**", "db/**"], rules: restrictImports(noKafkajs, noUpwardImports) },
  { files: ["lib/kafka/**"], rules: restrictImports(noUpwardImports) },
  { files: ["lib/domain/**"], rules: restrictImports(noUpwardImports, pureDomain) },
  { files: ["app/**"], rules: restrictImports(noKafkajs, noDatabaseDriver) },
  {
    files: ["components/**", "app/**/*.tsx"],
    rules: restrictImports(noKafkajs, noDatabaseDriver, serverCodeTypesOnly),
  },
  // Tests, benchmarks and CLIs drive the real servers (kafkajs admin, producers) directly.
  { files: ["tests/**", "bench/**", "scripts/**", "e2e/**"], rules: { "no-restricted-imports": "off" } },
];

export default tseslint.config(
  {
    ignores: ["node_modules/**", "**/.next/**", ".local/**", "db/migrations/**", "next-env.d.ts", "**/*.mjs"],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": "error",
    },
  },
  ...layers,
  { files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"], ...reactHooks.configs.flat.recommended },
  { files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"], ...nextPlugin.configs["core-web-vitals"] },
  {
    // CLIs, benchmarks and set-up scripts talk to a terminal.
    files: ["scripts/**", "bench/**", "e2e/**", "tests/**"],
    rules: { "no-console": "off" },
  },
);
