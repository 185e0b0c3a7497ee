import pino from "pino";
import { getEnv } from "./env";

/** The process logger: JSON lines, snake_case event names as the message. */
export const logger = pino({
  level: getEnv().LOG_LEVEL,
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

export type Logger = typeof logger;
