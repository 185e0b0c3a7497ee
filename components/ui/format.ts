/**
 * Display formatting for the dashboard. Runs in the browser, so dates come out in the
 * viewer's time zone and locale. Pure: no server imports.
 */
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export function formatInteger(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : integer.format(value);
}

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : decimal.format(value);
}

export function formatCompact(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : compact.format(value);
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.1 ? 1 : 0)}%`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const shortTimeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});
const dayTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

const dayTimeSecondsFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

type TimeInput = Date | string | number;
const toDate = (value: TimeInput) => (value instanceof Date ? value : new Date(value));

/** 14:03:27 */
export function formatTime(value: TimeInput): string {
  return timeFormat.format(toDate(value));
}

/** 14:03 */
export function formatShortTime(value: TimeInput): string {
  return shortTimeFormat.format(toDate(value));
}

/** Mar 4, 14:03 */
export function formatDayTime(value: TimeInput): string {
  return dayTimeFormat.format(toDate(value));
}

/** Mar 4, 14:03:27 */
export function formatDayTimeSeconds(value: TimeInput): string {
  return dayTimeSecondsFormat.format(toDate(value));
}

/** Mar 4, 2026, 14:03:27 */
export function formatDateTime(value: TimeInput): string {
  return dateTimeFormat.format(toDate(value));
}

/** "12 s ago", "5 min ago", "3 h ago", else the date. */
export function formatRelative(value: TimeInput, now = Date.now()): string {
  const seconds = Math.round((now - toDate(value).getTime()) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatDayTime(value);
}

/** The viewer's time zone name, shown next to times so nobody has to guess. */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
