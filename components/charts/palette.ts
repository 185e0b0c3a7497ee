/** Series colours: distinct, colour-blind friendly (Okabe-Ito based), same order everywhere. */
export const seriesColors = [
  "#4f46e5", // indigo
  "#0891b2", // cyan
  "#d97706", // amber
  "#059669", // emerald
  "#db2777", // pink
  "#7c3aed", // violet
  "#64748b", // slate
  "#dc2626", // red
] as const;

export function seriesColor(index: number): string {
  return seriesColors[index % seriesColors.length] ?? "#4f46e5";
}

export const axisColor = "#94a3b8";
export const gridColor = "#e2e8f0";
