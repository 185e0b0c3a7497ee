// Two one-step-ahead forecasters whose residuals feed the detector: a smoothed level, and an
// additive Holt-Winters model with a daily profile keyed by the point's UTC time of day.

export const DAY_MS = 86_400_000;
export const DAY_BINS = 144;

const LEVEL_ALPHA = 0.3;
const SEASON_LEVEL_ALPHA = 0.1;
const SEASON_GAMMA = 0.2;
const ERROR_ALPHA = 0.01;
/** Residuals are clipped to this many standard deviations before updating the error variance. */
const CLIP = 5;

export interface ForecastState {
  level: number;
  levelErrVar: number;
  seasonLevel: number;
  season: number[];
  seasonSeen: number[];
  seasonErrVar: number;
  firstTimestamp: number;
}

export interface Forecast {
  expected: number;
  sd: number;
  bin: number;
}

export function createForecastState(value: number, timestamp: number): ForecastState {
  return {
    level: value,
    levelErrVar: 0,
    seasonLevel: value,
    season: new Array<number>(DAY_BINS).fill(0),
    seasonSeen: new Array<number>(DAY_BINS).fill(0),
    seasonErrVar: 0,
    firstTimestamp: timestamp,
  };
}

function binOf(timestamp: number): number {
  const ms = ((timestamp % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.min(DAY_BINS - 1, Math.floor(ms / (DAY_MS / DAY_BINS)));
}

function floorScale(level: number): number {
  return 1e-3 * (Math.abs(level) + 1e-3);
}

/** The forecast for a point at `timestamp`: the seasonal model once it has 2 days and beats the level. */
export function computeForecast(state: ForecastState, timestamp: number): Forecast {
  const bin = binOf(timestamp);
  const floor = floorScale(state.level);
  const seasonReady =
    (state.seasonSeen[bin] ?? 0) > 0 &&
    timestamp - state.firstTimestamp > 2 * DAY_MS &&
    state.seasonErrVar < state.levelErrVar;
  if (seasonReady) {
    const expected = state.seasonLevel + (state.season[bin] ?? 0);
    return { expected, sd: Math.max(Math.sqrt(state.seasonErrVar), floor), bin };
  }
  return { expected: state.level, sd: Math.max(Math.sqrt(state.levelErrVar), floor), bin };
}

function clip(value: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, value));
}

export function updateForecast(state: ForecastState, value: number, bin: number, count: number): void {
  const alpha = Math.max(ERROR_ALPHA, 1 / count);
  const floor = floorScale(state.level);

  const levelSd = Math.max(Math.sqrt(state.levelErrVar), floor);
  const levelErr = value - state.level;
  const levelClipped = clip(levelErr, CLIP * levelSd);
  state.levelErrVar = (1 - alpha) * state.levelErrVar + alpha * levelClipped * levelClipped;
  state.level += LEVEL_ALPHA * levelErr;

  const seen = state.seasonSeen[bin] ?? 0;
  const seasonal = state.season[bin] ?? 0;
  const seasonSd = Math.max(Math.sqrt(state.seasonErrVar), floor);
  const seasonClipped = clip(value - state.seasonLevel - seasonal, CLIP * seasonSd);
  state.seasonErrVar =
    count > 2 ? (1 - alpha) * state.seasonErrVar + alpha * seasonClipped * seasonClipped : state.levelErrVar;
  const newLevel = state.seasonLevel + (seen > 0 ? SEASON_LEVEL_ALPHA * seasonClipped : 0);
  state.season[bin] = seen > 0 ? seasonal + SEASON_GAMMA * (value - newLevel - seasonal) : value - newLevel;
  state.seasonSeen[bin] = Math.min(seen + 1, 1e6);
  state.seasonLevel = newLevel;
}
