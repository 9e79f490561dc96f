// Authentication as oVirt does it: SSO token endpoint, Bearer or Basic on every API call, 401 / 403 faults.
import { engineForTests } from './engine-harness';
import type { TestEngine } from './engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';

let e: TestEngine;
engineForTests((started) => (e = started));

const form = { grant_type: 'password', scope: 'ovirt-app-api', username: 'admin@internal', password: ENGINE_PASSWORD };
const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('SSO token endpoint', () => {
  test('answers access_token, token_type bearer, exp and scope', async () => {
    const answer = await e.sso(form);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      exp: expect.stringMatching(/^\d+$/),
      scope: 'ovirt-app-api',
    });
    expect(Number(answer.body.exp)).toBeGreaterThan(Date.now());
    const call = await fetch(`${e.engine.apiUrl}/jobs`, {
      headers: { authorization: `Bearer ${answer.body.access_token}`, accept: 'application/json' },
    });
    expect(call.status).toBe(200);
  });

  test('scope is mandatory', async () => {
    const { scope: _scope, ...noScope } = form;
    const answer = await e.sso(noScope);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error_code: 'invalid_request', error: "No 'scope' parameter in request." });
  });

  test('wrong credentials give an access_denied error and no token', async () => {
    const answer = await e.sso({ ...form, password: 'wrong' });
    expect(answer.status).toBe(400);
    expect(answer.body.error_code).toBe('access_denied');
    expect(answer.body.error).toContain("Cannot authenticate user 'admin@internal'");
    expect(answer.body.access_token).toBeUndefined();
  });

  test('only the password grant is supported', async () => {
    const answer = await e.sso({ ...form, grant_type: 'client_credentials' });
    expect(answer.status).toBe(400);
    expect(answer.body.error_code).toBe('unsupported_grant_type');
  });
});

describe('API calls', () => {
  test('without credentials: 401 with a fault', async () => {
    const answer = await e.get('/jobs', { as: 'none' });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ reason: 'Unauthorized', detail: expect.any(String) });
    expect(answer.headers.get('www-authenticate')).toContain('Basic');
  });

  test('an unknown or revoked bearer token: 401', async () => {
    expect((await e.get('/jobs', { as: 'none', headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const token = (await e.sso(form)).body.access_token as string;
    await fetch(`${e.engine.url}/ovirt-engine/sso/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, scope: '' }).toString(),
    });
    const answer = await e.get('/jobs', { as: 'none', headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(401);
    expect(answer.body.reason).toBe('Unauthorized');
  });

  test('Basic credentials are accepted; wrong ones are a 401', async () => {
    expect(
      (await e.get('/jobs', { as: 'none', headers: { authorization: basic('admin@internal', ENGINE_PASSWORD) } }))
        .status,
    ).toBe(200);
    const job = await e.post(
      '/jobs',
      { description: 'via basic' },
      { as: 'none', headers: { authorization: basic('admin@internal', ENGINE_PASSWORD) } },
    );
    expect(job.status).toBe(201);
    expect(
      (await e.get('/jobs', { as: 'none', headers: { authorization: basic('admin@internal', 'bad') } })).status,
    ).toBe(401);
  });

  test('the token endpoint is outside the API: no credentials needed for it', async () => {
    expect((await e.sso(form)).status).toBe(200);
  });
});

describe('roles: INJECT_EXTERNAL_TASKS needs the admin role (every other write too: test/security/engine-roles.test.ts)', () => {
  test('user@internal may read jobs but gets 403 on every job and step write, changing nothing', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    expect((await e.get(`/jobs/${job.id}`, { as: 'user' })).status).toBe(200);
    const forbidden = { reason: 'Operation Failed', detail: '[User is not authorized to perform this action.]' };
    const writes: [string, unknown][] = [
      ['/jobs', { description: 'x' }],
      [`/jobs/${job.id}/end`, { succeeded: true }],
      [`/jobs/${job.id}/clear`, {}],
      [`/jobs/${job.id}/steps`, { description: 'x', type: 'executing' }],
      [`/jobs/${job.id}/steps/${step.id}/end`, { succeeded: false }],
    ];
    for (const [path, body] of writes) {
      const answer = await e.post(path, body, { as: 'user' });
      expect([path, answer.status, answer.body]).toEqual([path, 403, forbidden]);
    }
    expect((await e.get(`/jobs/${job.id}`)).body).toMatchObject({ status: 'started', auto_cleared: 'false' });
    expect((await e.get(`/jobs/${job.id}/steps`)).body.step).toHaveLength(1);
  });
});
