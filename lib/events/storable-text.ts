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
  const plain = PLAIN_KEY.test(key);
  const step = plain ? key : JSON.stringify(key);
  if (path === "") return step;
  return plain ? `${path}.${step}` : `${path}[${step}]`;
}

/**
 * The path of a string or object key in `value` that PostgreSQL cannot store
 * (`properties.page`, `properties["a\u0000"]`, `properties.list[2]`), or undefined when
 * there is none; an object's keys are looked at before its values. `path` names `value`
 * itself. Walks without recursion: a record from a topic may nest deeper than the call
 * stack goes.
 */
export function findUnstorableText(value: unknown, path: string): string | undefined {
  const pending: [unknown, string][] = [[value, path]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, at] = next;
    if (typeof item === "string") {
      if (!isStorableText(item)) return at;
    } else if (Array.isArray(item)) {
      // reversed onto the stack: the first element is looked at first
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], childPath(at, i)]);
    } else if (item !== null && typeof item === "object") {
      const keys = Object.keys(item);
      for (const key of keys) if (!isStorableText(key)) return childPath(at, key);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        pending.push([(item as Record<string, unknown>)[key], childPath(at, key)]);
      }
    }
  }
  return undefined;
}

/** What an error says of text PostgreSQL cannot store. */
export const UNSTORABLE_TEXT_MESSAGE =
  "holds a NUL character (\\u0000) or a lone UTF-16 surrogate, which cannot be stored";
