// Hour-of-week profile of the series (UTC). Its residual shows contextual anomalies such as a
// normal-looking value on the wrong day, which range and spike checks cannot see.

export const WEEK_MS = 7 * 86_400_000;
export const WEEK_BINS = 168;
const GAMMA = 0.1;
const ERROR_ALPHA = 0.01;

export interface WeeklyProfile {
  mean: number[];
  seen: number[];
  errVar: number;
  firstTimestamp: number;
}

export function createWeeklyProfile(timestamp: number): WeeklyProfile {
  return {
    mean: new Array<number>(WEEK_BINS).fill(0),
    seen: new Array<number>(WEEK_BINS).fill(0),
    errVar: 0,
    firstTimestamp: timestamp,
  };
}

export function binOfWeek(timestamp: number): number {
  const ms = ((timestamp % WEEK_MS) + WEEK_MS) % WEEK_MS;
  return Math.min(WEEK_BINS - 1, Math.floor(ms / (WEEK_MS / WEEK_BINS)));
}

/** Residual against the profile, or null until the profile is 8 days old and knows this hour. */
export function computeWeeklyResidual(
  profile: WeeklyProfile,
  timestamp: number,
  value: number,
): number | null {
  const bin = binOfWeek(timestamp);
  if ((profile.seen[bin] ?? 0) === 0 || timestamp - profile.firstTimestamp < WEEK_MS + 86_400_000)
    return null;
  return value - (profile.mean[bin] ?? 0);
}

export function updateWeeklyProfile(profile: WeeklyProfile, timestamp: number, value: number): void {
  const bin = binOfWeek(timestamp);
  const seen = profile.seen[bin] ?? 0;
  const mean = profile.mean[bin] ?? 0;
  const residual = value - mean;
  if (seen > 0) profile.errVar += ERROR_ALPHA * (residual * residual - profile.errVar);
  profile.mean[bin] = seen > 0 ? mean + GAMMA * residual : value;
  profile.seen[bin] = Math.min(seen + 1, 1e6);
}
