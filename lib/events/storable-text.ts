/**
 * Text PostgreSQL cannot store. A text column refuses the NUL character, and jsonb refuses
 * `\u0000` and a lone surrogate (half of a UTF-16 pair, `\ud800`). JSON carries either one
 * only as a `\u` escape, so a body or record without `\u` needs no check (`mayHoldUnstorableText`).
 *
 * TRICKY: one such event used to fail every write of the processor's batch that held it,
 * for good: its partition stopped being stored. The ingest route now refuses it (400, the
 * field named), and the processor dead-letters one that reaches a topic anyway.
 */

/** Whether JSON `text` may decode to a string PostgreSQL cannot store (it holds a `\u` escape). */
export function mayHoldUnstorableText(text: string): boolean {
  return text.includes("\\u");
}

// in `u` mode a surrogate pair is one code point: only a lone half is of category Cs
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether PostgreSQL can store `text` in a text column and in jsonb. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const step = PLAIN_KEY.test(key) ? key : JSON.stringify(key);
  if (path === "") return step;
  return PLAIN_KEY.test(key) ? `${path}.${step}` : `${path}[${step}]`;
}

/**
 * The path of the first string or object key in `value` that PostgreSQL cannot store
 * (`properties.page`, `properties["a\u0000"]`, `properties.list[2]`), or undefined when
 * there is none. `path` names `value` itself.
 */
export function findUnstorableText(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return isStorableText(value) ? undefined : path;
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], childPath(path, i));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (!isStorableText(key)) return childPath(path, key);
    const found = findUnstorableText(object[key], childPath(path, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** What an error says of text PostgreSQL cannot store. */
export const UNSTORABLE_TEXT_MESSAGE =
  "holds a NUL character (\\u0000) or a lone UTF-16 surrogate, which cannot be stored";
