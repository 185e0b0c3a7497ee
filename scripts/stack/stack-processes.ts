import { SCALED_LOCALLY, workerRoleNames } from "../../workers/roles";
import type { ProcessSpec } from "./supervisor";

/**
 * The processes of the local stack (`npm run up`): the web app (itself `WEB_PROCESSES`
 * `next start` processes, web/start.ts) and one worker per role, `processors` processors.
 * Names are the log files' names: web, processor-1, processor-2, anomaly-1, alerts-1.
 */
export function stackProcesses({ port, processors }: { port: number; processors: number }): ProcessSpec[] {
  const node = process.execPath;
  const web: ProcessSpec = {
    name: "web",
    command: node,
    args: ["--import", "tsx", "web/start.ts", "-p", String(port)],
  };
  const workers = workerRoleNames.flatMap((role) =>
    Array.from({ length: SCALED_LOCALLY.includes(role) ? processors : 1 }, (_, index) => ({
      name: `${role}-${index + 1}`,
      command: node,
      args: ["--conditions=react-server", "--import", "tsx", "workers/main.ts", role],
    })),
  );
  return [web, ...workers];
}
