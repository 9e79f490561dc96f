// The CLI's API client against a small scripted HTTP server: the event stream (and its fallbacks when it breaks or
// is missing), errors in plain words, and where the URL and token come from.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApiClient, type FlowDocument } from '../../cli/api/client';
import { ApiAuthError, ApiProblemError, ApiUnexpectedAnswerError, MissingTokenError } from '../../cli/api/errors';
import { resolveApiSettings } from '../../cli/api/settings';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let handler: Handler;
let server: http.Server;
let url: string;
const seen: string[] = [];
let lastAuthorization: string | undefined;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    lastAuthorization = req.headers.authorization;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => (seen.length = 0));

const client = () =>
  createApiClient({ url, token: 'tok', tokenSource: 'HF_API_TOKEN', pollIntervalMs: 20, reconnectForMs: 500 });

const flowDoc = (status: FlowDocument['status'], stepStatus: 'running' | 'finished' = 'running'): FlowDocument => ({
  id: 'f1',
  kind: 'rapid-clone',
  status,
  startedAt: '2025-05-01T10:00:00.000Z',
  closedAt: status === 'running' ? null : '2025-05-01T10:00:05.000Z',
  input: {},
  result: null,
  error: null,
  engineJobId: 'j1',
  engineJobIds: ['j1'],
  steps: [{ key: '1', description: 'Read VM web-01', kind: 'ovirt', status: stepStatus, children: [] }],
  stepsSource: status === 'running' ? 'workflow' : 'final',
  notice: null,
  links: { self: '/api/v1/flows/f1' },
});

const json = (res: http.ServerResponse, status: number, body: unknown, type = 'application/json') =>
  res.writeHead(status, { 'Content-Type': type }).end(JSON.stringify(body));
const sse = (res: http.ServerResponse, event: string, data: unknown) =>
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

test('watchFlow follows the event stream to the final flow event, with no polling', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    sse(res, 'step', flowDoc('running'));
    res.write(': keep-alive\n\n');
    setTimeout(() => {
      sse(res, 'step', flowDoc('running', 'finished'));
      sse(res, 'flow', flowDoc('completed', 'finished'));
      res.end();
    }, 30);
  };
  const updates: string[] = [];
  const final = await client().watchFlow('f1', (f) => updates.push(`${f.status}/${f.steps[0]!.status}`));
  expect(final.status).toBe('completed');
  expect(updates).toEqual(['running/running', 'running/finished', 'completed/finished']);
  expect(seen).toEqual(['GET /api/v1/flows/f1/events']);
  expect(lastAuthorization).toBe('Bearer tok');
});

test('a broken stream is followed by a look at the flow and a new stream', async () => {
  let streams = 0;
  handler = (req, res) => {
    if (req.url?.endsWith('/events')) {
      streams++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      if (streams === 1) {
        sse(res, 'step', flowDoc('running'));
        setTimeout(() => res.destroy(), 20); // the connection drops mid-flow
      } else {
        sse(res, 'flow', flowDoc('completed', 'finished'));
        res.end();
      }
      return;
    }
    json(res, 200, flowDoc('running'));
  };
  const final = await client().watchFlow('f1', () => undefined);
  expect(final.status).toBe('completed');
  expect(seen).toEqual(['GET /api/v1/flows/f1/events', 'GET /api/v1/flows/f1', 'GET /api/v1/flows/f1/events']);
});

test('without an event stream (404 on /events), it polls the flow until it closes', async () => {
  let polls = 0;
  handler = (req, res) => {
    if (req.url?.endsWith('/events')) return json(res, 404, { title: 'Not found' }, 'application/problem+json');
    json(res, 200, ++polls < 3 ? flowDoc('running') : flowDoc('failed'));
  };
  const final = await client().watchFlow('f1', () => undefined);
  expect(final.status).toBe('failed');
  expect(seen).toEqual([
    'GET /api/v1/flows/f1/events',
    'GET /api/v1/flows/f1',
    'GET /api/v1/flows/f1',
    'GET /api/v1/flows/f1',
  ]);
});

test('errors in plain words: 401, 400 with fields, 404 of a flow, 409, an answer that is not the API', async () => {
  const fail = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: Error) => e,
    );
  handler = (_req, res) => json(res, 401, { title: 'Unauthorized' }, 'application/problem+json');
  const auth = await fail(client().listFlows());
  expect(auth).toBeInstanceOf(ApiAuthError);
  expect(auth?.message).toBe(
    'The API rejected the token (401 Unauthorized; token from HF_API_TOKEN). Set HF_API_TOKEN or pass --token with the token `hybridflow dev` prints.',
  );

  handler = (_req, res) =>
    json(
      res,
      400,
      {
        title: 'Invalid request',
        errors: [
          { field: 'body.cloneName', message: 'is required' },
          { field: 'body.other', message: 'is odd' },
        ],
      },
      'application/problem+json',
    );
  const bad = await fail(client().startRapidClone({ sourceVm: 'web-01', cloneName: '' }));
  expect(bad).toBeInstanceOf(ApiProblemError);
  expect(bad?.message).toBe(
    'The API refused the request (400 Invalid request):\n  --name (cloneName): is required\n  other: is odd',
  );

  handler = (_req, res) =>
    json(res, 404, { title: 'Flow not found', detail: 'No flow with id f9' }, 'application/problem+json');
  expect((await fail(client().getFlow('f9')))?.message).toBe('Flow not found: No flow with id f9 (404)');

  handler = (_req, res) =>
    json(res, 409, { title: 'Flow already closed', detail: 'Flow f1 is completed' }, 'application/problem+json');
  expect((await fail(client().cancelFlow('f1')))?.message).toBe('Flow already closed: Flow f1 is completed (409)');

  handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hello</html>');
  const html = await fail(client().listFlows());
  expect(html).toBeInstanceOf(ApiUnexpectedAnswerError);
  expect(html?.message).toMatch(/did not answer like the hybridflow API \(text\/html instead of JSON\)/);

  handler = (_req, res) => json(res, 200, { items: [{ id: 1 }] });
  expect((await fail(client().listFlows()))?.message).toMatch(
    /answered GET \/api\/v1\/flows with an unexpected document \(items\.0\.id: /,
  );
});

test('URL and token: flags, then the environment, then the token file, which is never created', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-cli-token-'));
  try {
    const env = { HF_DATA_DIR: dir };
    expect(() => resolveApiSettings({}, env)).toThrow(MissingTokenError);
    expect(() => resolveApiSettings({}, env)).toThrow(`writes it to ${path.join(dir, 'api-token')}.`);
    expect(fs.existsSync(path.join(dir, 'api-token'))).toBe(false);

    fs.writeFileSync(path.join(dir, 'api-token'), 'from-the-file-0123456789\n');
    expect(resolveApiSettings({}, env)).toEqual({
      url: 'http://127.0.0.1:8080',
      token: 'from-the-file-0123456789',
      tokenSource: path.join(dir, 'api-token'),
    });
    expect(
      resolveApiSettings({}, { ...env, HF_API_TOKEN: 'from-the-env-0123456789', HF_API_URL: 'http://api:9/' }),
    ).toEqual({
      url: 'http://api:9',
      token: 'from-the-env-0123456789',
      tokenSource: 'HF_API_TOKEN',
    });
    expect(
      resolveApiSettings({ url: 'http://x:1', token: 't' }, { ...env, HF_API_TOKEN: 'from-the-env-0123456789' }),
    ).toMatchObject({
      url: 'http://x:1',
      token: 't',
      tokenSource: '--token',
    });
    expect(() => resolveApiSettings({ url: 'localhost:8080', token: 't' }, env)).toThrow(
      /--url must be an http\(s\) URL/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
