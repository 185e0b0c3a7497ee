import { existsSync } from "node:fs";
import path from "node:path";
import { ROOT, sh } from "./servers";

/**
 * A build of another revision of this repository, for a same-run comparison (`--base REV`):
 * a detached git worktree under .local/bench-base/<commit>, its own `npm ci` and `next build`,
 * kept for the next run. Its web app runs with the same launcher, process count, load
 * generator and connections as the current one.
 */
export async function prepareBaseBuild(rev: string): Promise<{ dir: string; commit: string }> {
  const commit = (await sh("git", ["rev-parse", "--short=12", `${rev}^{commit}`])).trim();
  const dir = path.join(ROOT, ".local", "bench-base", commit);
  if (!existsSync(path.join(dir, ".git"))) {
    console.log(`base ${rev} (${commit}): git worktree in ${path.relative(ROOT, dir)} ...`);
    await sh("git", ["worktree", "add", "--force", "--detach", dir, commit]);
  }
  if (!existsSync(path.join(dir, "node_modules"))) {
    console.log(`base ${commit}: npm ci ...`);
    await sh("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], {}, dir);
  }
  if (!existsSync(path.join(dir, ".next", "BUILD_ID"))) {
    console.log(`base ${commit}: next build ...`);
    await sh("npx", ["next", "build"], {}, dir);
  }
  return { dir, commit };
}
