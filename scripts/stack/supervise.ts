/**
 * The stack supervisor `npm run up` runs after its set-up steps:
 *
 *   node --import tsx scripts/stack/supervise.ts --stack --port 3000 --processors 1
 *   node --import tsx scripts/stack/supervise.ts --processes '[{"name":"a","command":"node","args":["-e","..."]}]'
 *
 * Restarts a process that exits, with backoff; exits 1 naming the process when one keeps
 * failing right after start; on SIGTERM, SIGINT or SIGHUP stops them all and exits 0.
 * Each process's output goes to `<log-dir>/<name>.log`; the supervisor's own lines to stdout.
 * Policy flags (milliseconds) exist for tests: --initial-delay-ms --max-delay-ms
 * --stable-after-ms --quick-exit-ms --max-quick-exits --stop-timeout-ms.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { logger } from "@/lib/logger";
import { defaultRestartPolicy } from "./restart-policy";
import { stackProcesses } from "./stack-processes";
import { startSupervisor } from "./supervisor";

const ROOT = path.resolve(import.meta.dirname, "../..");

const count = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const processesSchema = z
  .array(
    z.object({
      name: z.string().regex(/^[a-zA-Z0-9._-]+$/),
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
    }),
  )
  .min(1);

const optionsSchema = z
  .object({
    stack: z.boolean().default(false),
    processes: z
      .string()
      .transform((raw, context) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          context.addIssue({ code: "custom", message: "is not JSON" });
          return z.NEVER;
        }
      })
      .pipe(processesSchema)
      .optional(),
    port: count(3000, 1),
    processors: count(1, 1),
    "log-dir": z.string().min(1).default(".local/logs"),
    "stop-timeout-ms": count(35_000, 100),
    "initial-delay-ms": count(defaultRestartPolicy.initialDelayMs, 1),
    "max-delay-ms": count(defaultRestartPolicy.maxDelayMs, 1),
    "stable-after-ms": count(defaultRestartPolicy.stableAfterMs),
    "quick-exit-ms": count(defaultRestartPolicy.quickExitMs),
    "max-quick-exits": count(defaultRestartPolicy.maxQuickExits, 1),
  })
  .refine((options) => options.stack !== (options.processes !== undefined), {
    message: "give either --stack or --processes '<json>'",
  });

function parseOptions(argv: string[]) {
  const text = { type: "string" } as const;
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "boolean" },
      processes: text,
      port: text,
      processors: text,
      "log-dir": text,
      "stop-timeout-ms": text,
      "initial-delay-ms": text,
      "max-delay-ms": text,
      "stable-after-ms": text,
      "quick-exit-ms": text,
      "max-quick-exits": text,
    },
  });
  const result = optionsSchema.safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join(".") || "options"}: ${issue.message}`,
    );
    throw new Error(`supervise: ${problems.join("; ")}`);
  }
  return result.data;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  process.title = "analytics-supervisor";
  const supervisor = startSupervisor({
    processes: options.processes ?? stackProcesses(options),
    logDir: path.resolve(ROOT, options["log-dir"]),
    cwd: ROOT,
    stopTimeoutMs: options["stop-timeout-ms"],
    policy: {
      initialDelayMs: options["initial-delay-ms"],
      maxDelayMs: options["max-delay-ms"],
      stableAfterMs: options["stable-after-ms"],
      quickExitMs: options["quick-exit-ms"],
      maxQuickExits: options["max-quick-exits"],
    },
  });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.on(signal, () => void supervisor.stop(signal));
  }
  return supervisor.done;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    logger.fatal({ err: error }, "supervisor_failed");
    process.exit(1);
  },
);
