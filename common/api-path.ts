// Fills an API path template ('/api/v1/things/{id}') with its parameters and a query string. Shared by the CLI and
// the pages (served to them as /assets/lib/api-path.js), so it imports nothing.

export type QueryValue = string | number | boolean | undefined | null;

export function fillPath(
  template: string,
  params: Record<string, string> = {},
  query: Record<string, QueryValue> = {},
): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}
