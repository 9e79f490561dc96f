// Registers a temporal-mode vendor with the whole storage contract through the API, as an operator and then the
// vendor itself would (for stacks whose server runs as its own process).
import { fillPath } from '../../common/api-path';
import { contractRegistrations } from '../../common/storage-contract';
import { apiRoutes } from '../../server/api/routes';

export async function registerVendorThroughApi(apiUrl: string, operatorToken: string, id: string): Promise<void> {
  const send = (route: keyof typeof apiRoutes, token: string, body: unknown, params?: Record<string, string>) =>
    fetch(apiUrl + fillPath(apiRoutes[route].path, params), {
      method: apiRoutes[route].method.toUpperCase(),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const created = await send('createVendor', operatorToken, { id, name: id, mode: 'temporal' });
  if (created.status === 409) return;
  if (created.status !== 201) throw new Error(`registering ${id}: ${created.status} ${await created.text()}`);
  const { apiKey } = (await created.json()) as { apiKey: string };
  for (const { name, ...registration } of contractRegistrations()) {
    const put = await send('putVendorActivity', apiKey, registration, { name });
    if (put.status !== 201 && put.status !== 200)
      throw new Error(`registering ${id}'s ${name}: ${put.status} ${await put.text()}`);
  }
}
