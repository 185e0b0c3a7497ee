const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
];

/**
 * Round tick times (whole minutes, hours... in the viewer's time zone) across `[from, to]`,
 * at most about `target` of them, and the label detail they need.
 */
export function timeTicks(
  from: number,
  to: number,
  target: number,
): { ticks: number[]; detail: "seconds" | "minutes" | "days" } {
  const span = Math.max(1, to - from);
  const step = STEPS.find((candidate) => span / candidate <= target) ?? DAY * Math.ceil(span / target / DAY);
  // Align to the local clock: offset of the viewer's zone from UTC at `from`.
  const offset = -new Date(from).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((from + offset) / step) * step - offset;
  const ticks: number[] = [];
  for (let t = first; t <= to; t += step) ticks.push(t);
  return { ticks, detail: step < MINUTE ? "seconds" : step < DAY ? "minutes" : "days" };
}
