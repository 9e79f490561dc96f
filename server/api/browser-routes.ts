// The route table as the pages see it (method and path of each route by name), served to them as the ES module
// /assets/lib/api-routes.js so that the pages call routes by name too, with no path written twice.
import { apiRoutes } from './routes';

let built: string | undefined;

export function browserRoutesModule(): string {
  built ??= `export const routes = ${JSON.stringify(
    Object.fromEntries(
      Object.entries(apiRoutes).map(([name, route]) => [
        name,
        { method: route.method.toUpperCase(), path: route.path },
      ]),
    ),
    null,
    2,
  )};\n`;
  return built;
}
