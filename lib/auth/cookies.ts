/**
 * The sign-in cookie's names: better-auth writes `<prefix>.session_token`, with `__Secure-`
 * in front over https. No imports, so the proxy can read it without loading better-auth.
 */
export const COOKIE_PREFIX = "pulse";
export const SESSION_COOKIE = `${COOKIE_PREFIX}.session_token`;
export const SESSION_COOKIES = [SESSION_COOKIE, `__Secure-${SESSION_COOKIE}`] as const;
