import { spawnSync } from "node:child_process";

/**
 * Whether a system tool (Debian package) is installed. Outside CI a test that needs a
 * missing tool is skipped with the package to install; in CI (.ci/run installs them) it
 * runs and fails, so a lost install step cannot pass unnoticed.
 */
export function systemTool(command: string, debianPackage: string): { run: boolean; note: string } {
  const found = spawnSync(command, ["--version"], { encoding: "utf8" }).status === 0;
  const inCi = process.env.CI === "true" || process.env.CI === "1";
  if (!found && !inCi) {
    const note = `${command} is not installed (apt-get install ${debianPackage}): skipping its checks`;
    console.warn(note);
    return { run: false, note };
  }
  return { run: true, note: `${command} (${debianPackage})` };
}

/** Runs a command to its end; the output (stdout then stderr) for assertions and messages. */
export function runTool(
  command: string,
  args: string[],
  cwd?: string,
): { status: number | null; stdout: string; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8", cwd });
  if (result.error) return { status: null, stdout: "", output: String(result.error) };
  return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}
