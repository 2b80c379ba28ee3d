/** A value placed in a URL path, encoded so that `/`, `?` or `#` in it cannot change the route. */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
