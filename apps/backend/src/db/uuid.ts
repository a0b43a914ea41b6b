const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed UUID; anything else names no row (and would make PostgreSQL throw on a uuid column). */
export function isUuid(id: string): boolean {
  return UUID_RE.test(id);
}
