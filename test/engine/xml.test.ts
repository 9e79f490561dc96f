// XML as oVirt writes and reads it, chosen by content negotiation: `id`, `href` and `rel` as attributes, ISO-8601
// dates with the offset, booleans true/false, collections wrapping their members, actions and faults; XML request
// bodies read into the same shapes the JSON ones are; malformed XML a 400 naming the problem, never a 500.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { engineForTests } from './engine-harness';
import type { Entity, TestEngine } from './engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';
import { isoDate } from '../../engine/xml/render';
import { responseFormat } from '../../engine/negotiation';

let e: TestEngine;
engineForTests((started) => (e = started), { transitionMs: 100 });

const API = '/ovirt-engine/api';
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  ignoreDeclaration: true,
});

interface XmlAnswer {
  status: number;
  type: string;
  text: string;
  // The parsed document; tests assert its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  doc: any;
  headers: Headers;
}

/** A call with the SDKs' headers (XML both ways) unless told otherwise; `accept: undefined` sends none. */
async function xml(
  method: string,
  apiPath: string,
  body?: string,
  headers: Record<string, string | undefined> = {},
): Promise<XmlAnswer> {
  const sent: Record<string, string> = {
    authorization: `Bearer ${await e.token('admin')}`,
    version: '4',
    accept: 'application/xml',
    'content-type': 'application/xml',
  };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete sent[name];
    else sent[name] = value;
  }
  const res = await fetch(`${e.engine.apiUrl}${apiPath}`, { method, headers: sent, body });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const doc = type.startsWith('application/xml') ? parser.parse(text) : undefined;
  if (doc) expect(XMLValidator.validate(text)).toBe(true);
  return { status: res.status, type, text, doc, headers: res.headers };
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;

describe('content negotiation', () => {
  test.each([
    [undefined, 'xml'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['*/*', 'xml'],
    ['text/html', 'xml'],
    ['application/json', 'json'],
    ['application/json, application/xml', 'xml'],
    ['application/xml;q=0.5, application/json', 'json'],
    ['application/json;q=0.5, application/xml', 'xml'],
    ['application/json, */*;q=0.1', 'json'],
    ['application/xml;q=x, */*;;', 'xml'],
  ])('Accept %s answers %s', (accept, format) => {
    expect(responseFormat(accept)).toBe(format);
  });

  test('over HTTP: XML when Accept names neither or names XML, JSON when asked', async () => {
    const none = await xml('GET', '/jobs', undefined, { accept: undefined, 'content-type': undefined });
    expect(none.type).toBe('application/xml; charset=utf-8');
    expect(none.text.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')).toBe(true);
    expect((await xml('GET', '/jobs', undefined, { accept: 'text/xml' })).type).toMatch(/^application\/xml/);
    const json = await xml('GET', '/jobs', undefined, { accept: 'application/json' });
    expect(json.type).toBe('application/json; charset=utf-8');
    expect(() => JSON.parse(json.text) as unknown).not.toThrow();
  });

  test('the same call answers the same entity in both: dates as ISO with the offset and as epoch ms', async () => {
    const job = await e.addJob({ description: 'both ways' });
    const asXml = (await xml('GET', `/jobs/${job.id}`)).doc.job;
    const asJson = (await e.get(`/jobs/${job.id}`)).body as Entity;
    expect(asXml.start_time).toMatch(ISO_WITH_OFFSET);
    expect(Date.parse(asXml.start_time)).toBe(asJson.start_time);
    expect(Date.parse(asXml.last_updated)).toBe(asJson.last_updated);
    expect(asXml.auto_cleared).toBe(asJson.auto_cleared);
  });
});

describe('entities, collections, actions', () => {
  test('a job: id and href attributes, actions as links, booleans, dates, the owner and steps links', async () => {
    const created = await xml(
      'POST',
      '/jobs',
      '<job><description>Replicate &amp; verify</description><auto_cleared>true</auto_cleared></job>',
    );
    expect(created.status).toBe(201);
    const job = created.doc.job;
    const id = job['@id'] as string;
    expect(created.headers.get('location')).toContain(`${API}/jobs/${id}`);
    expect(job).toEqual({
      '@id': id,
      '@href': `${API}/jobs/${id}`,
      actions: {
        link: [
          { '@href': `${API}/jobs/${id}/clear`, '@rel': 'clear' },
          { '@href': `${API}/jobs/${id}/end`, '@rel': 'end' },
        ],
      },
      description: 'Replicate & verify',
      status: 'started',
      external: 'true',
      auto_cleared: 'true',
      start_time: expect.stringMatching(ISO_WITH_OFFSET),
      last_updated: expect.stringMatching(ISO_WITH_OFFSET),
      owner: { '@id': expect.any(String), '@href': expect.stringMatching(new RegExp(`^${API}/users/`)) },
      link: { '@href': `${API}/jobs/${id}/steps`, '@rel': 'steps' },
    });
    // The owner link leads somewhere, as the SDKs follow it.
    const owner = await xml('GET', (job.owner['@href'] as string).slice(API.length));
    expect(owner.doc.user).toMatchObject({
      '@id': job.owner['@id'],
      principal: 'admin',
      user_name: 'admin@internal-authz',
    });
    // Only id, href and rel are attributes.
    expect(created.text).not.toMatch(/<\w+ [^>]*\b(?!id=|href=|rel=)\w+="/);
  });

  test('steps from XML bodies: parent_step by its id attribute, number, the end action echoed', async () => {
    const job = await e.addJob();
    const parent = (
      await xml('POST', `/jobs/${job.id}/steps`, '<step><description>p</description><type>unknown</type></step>')
    ).doc.step;
    const child = await xml(
      'POST',
      `/jobs/${job.id}/steps`,
      `<step><description>c</description><type>executing</type><parent_step id="${parent['@id']}"/></step>`,
    );
    expect(child.status).toBe(201);
    expect(child.doc.step).toMatchObject({
      type: 'executing',
      number: '0',
      parent_step: { '@id': parent['@id'] },
      job: { '@id': job.id, '@href': `${API}/jobs/${job.id}` },
    });
    const ended = await xml(
      'POST',
      `/jobs/${job.id}/steps/${child.doc.step['@id']}/end`,
      '<action><succeeded>true</succeeded></action>',
    );
    expect([ended.status, ended.doc]).toEqual([
      200,
      {
        action: {
          succeeded: 'true',
          status: 'complete',
          step: { '@id': child.doc.step['@id'], '@href': `${API}/jobs/${job.id}/steps/${child.doc.step['@id']}` },
        },
      },
    ]);
  });

  test('collections wrap their members; an empty one is an empty element', async () => {
    const job = await e.addJob();
    const empty = await xml('GET', `/jobs/${job.id}/steps`);
    expect(empty.doc).toEqual({ steps: '' });
    expect(empty.text).toContain('<steps/>');
    await e.addStep(job.id);
    await e.addStep(job.id);
    const two = await xml('GET', `/jobs/${job.id}/steps`);
    expect(two.doc.steps.step).toHaveLength(2);
    const disk = (await xml('GET', '/disks?max=1')).doc.disks.disk;
    expect(disk.storage_domains.storage_domain['@id']).toEqual(expect.any(String));
  });

  test('a job ended with an XML action: the action answered with its status and the job', async () => {
    const job = await e.addJob();
    const ended = await xml('POST', `/jobs/${job.id}/end`, '<action><succeeded>false</succeeded></action>');
    expect(ended.doc.action).toEqual({
      succeeded: 'false',
      status: 'complete',
      job: { '@id': job.id, '@href': `${API}/jobs/${job.id}` },
    });
    expect((await e.get(`/jobs/${job.id}`)).body.status).toBe('failed');
  });

  test('a VM started: the action with status, the nested job and the VM; an empty <action/> is enough', async () => {
    const vm = await e.vmNamed('build-01');
    const started = await xml('POST', `/vms/${vm.id}/start`, '<action/>');
    expect(started.status).toBe(200);
    expect(started.doc.action).toEqual({
      status: 'complete',
      job: { '@id': expect.any(String), '@href': expect.stringContaining(`${API}/jobs/`) },
      vm: { '@id': vm.id, '@href': `${API}/vms/${vm.id}` },
    });
  });

  test('an unregistered disk registered as the SDKs do it: ?unregistered=true and the disk itself as the body', async () => {
    const sd = (await e.get('/storagedomains')).body.storage_domain[0] as Entity;
    const id = crypto.randomUUID();
    await e.callBuiltin('PUT', `/builtin/storage-array/domains/${sd.id}/images/${id}`, {
      name: 'sdk-image',
      provisioned_size: 1024 ** 3,
    });
    const listed = await xml('GET', `/storagedomains/${sd.id}/disks?unregistered=true`);
    expect([listed.doc.disks.disk].flat().map((d: Record<string, string>) => d['@id'])).toContain(id);
    const registered = await xml('POST', `/storagedomains/${sd.id}/disks?unregistered=true`, `<disk id="${id}"/>`);
    expect([registered.status, registered.doc.disk['@id'], registered.doc.disk.status]).toEqual([201, id, 'ok']);
    expect((await xml('POST', `/storagedomains/${sd.id}/disks`, `<disk id="${id}"/>`)).status).toBe(405);
  });

  test('the API root: product info, links, special objects, a summary of integers, the time', async () => {
    const api = (await xml('GET', '')).doc.api;
    expect(api['@href']).toBe(API);
    expect(api.product_info).toMatchObject({ name: 'oVirt Engine', vendor: 'ovirt.org', version: { major: '4' } });
    expect(api.link).toContainEqual({ '@href': `${API}/jobs`, '@rel': 'jobs' });
    expect(api.link).toContainEqual({ '@href': `${API}/vms?search={query}`, '@rel': 'vms/search' });
    expect(api.summary.vms.total).toMatch(/^\d+$/);
    expect(Number(api.summary.vms.total)).toBeGreaterThan(0);
    expect(api.special_objects.blank_template['@id']).toBe('00000000-0000-0000-0000-000000000000');
    expect(api.time).toMatch(ISO_WITH_OFFSET);
    expect(api.authenticated_user['@id']).toEqual(expect.any(String));
  });

  test('text the XML cannot carry (control characters) is left out, and the answer stays well-formed', async () => {
    const job = await e.addJob({ description: 'bell\u0007 and \u001b[31m & <tags>' });
    const answer = await xml('GET', `/jobs/${job.id}`);
    expect(answer.doc.job.description).toBe('bell and [31m & <tags>');
  });

  test('isoDate: milliseconds always, the offset of the engine time zone, Z at zero', () => {
    for (const ms of [0, 1472564909990, Date.UTC(2026, 0, 1, 23, 59, 59, 5)]) {
      expect(isoDate(ms)).toMatch(ISO_WITH_OFFSET);
      expect(Date.parse(isoDate(ms))).toBe(ms);
    }
  });
});

describe('faults in XML', () => {
  test('404 and 401 are <fault> with reason and detail, also with no Accept at all', async () => {
    const missing = await xml('GET', `/jobs/${crypto.randomUUID()}`, undefined, { accept: undefined });
    expect([missing.status, Object.keys(missing.doc.fault)]).toEqual([404, ['reason', 'detail']]);
    expect(missing.doc.fault.reason).toBe('Operation Failed');
    const anonymous = await xml('GET', '/jobs', undefined, { authorization: undefined, accept: undefined });
    expect([anonymous.status, anonymous.doc.fault.reason]).toEqual([401, 'Unauthorized']);
  });

  test('400 for a blank description or a bad boolean, as in JSON', async () => {
    const blank = await xml('POST', '/jobs', '<job><description/></job>');
    expect([blank.status, blank.doc.fault]).toEqual([
      400,
      { reason: 'Incomplete parameters', detail: 'Job [description] required for add' },
    ]);
    const job = await e.addJob();
    const bad = await xml('POST', `/jobs/${job.id}/end`, '<action><succeeded>maybe</succeeded></action>');
    expect([bad.status, bad.doc.fault.reason]).toEqual([400, 'Invalid value']);
    expect(bad.doc.fault.detail).toContain('succeeded');
  });

  test('a 409 conflict is a <fault> too', async () => {
    const vm = await e.vmNamed('web-01');
    const conflict = await xml('POST', `/vms/${vm.id}/start`, '<action/>');
    expect([conflict.status, conflict.doc.fault.reason]).toEqual([409, 'Operation Failed']);
  });

  test.each([
    ['an unclosed element', '<job><description>x</job>', /Malformed XML body: .*\(line 1, column \d+\)/],
    ['text outside any element', 'description=x', /Malformed XML body/],
    ['two roots', '<job/><job/>', /Malformed XML body/],
    [
      'a DOCTYPE (no entity expansion)',
      '<!DOCTYPE j [<!ENTITY a "b">]><job><description>&a;</description></job>',
      /DOCTYPE/,
    ],
    ['a reserved name', '<job><__proto__><x>1</x></__proto__><description>p</description></job>', /Malformed XML body/],
    ['nesting 100,000 deep', '<a>'.repeat(100_000) + '</a>'.repeat(100_000), /nests too deeply|too large/],
    ['nesting 200 deep', '<a>'.repeat(200) + '</a>'.repeat(200), /nests too deeply/],
  ])('%s: a 4xx fault naming the problem, never a 500', async (_what, body, detail) => {
    const answer = await xml('POST', '/jobs', body);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.doc.fault.detail).toMatch(detail);
    expect(answer.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  });
});

describe('sessions and logout as the SDKs use them', () => {
  const basic = `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`;

  test('Prefer: persistent-auth: Basic answers a session cookie that later calls use instead of credentials', async () => {
    const login = await xml('GET', '/jobs', undefined, { authorization: basic, prefer: 'persistent-auth' });
    expect(login.status).toBe(200);
    const cookie = /JSESSIONID=([^;]+); Path=\/ovirt-engine\/api; HttpOnly/.exec(
      login.headers.get('set-cookie') ?? '',
    )?.[1];
    expect(cookie).toBeDefined();
    const session = { authorization: undefined, cookie: `JSESSIONID=${cookie}` };
    expect((await xml('GET', '/jobs', undefined, { ...session, prefer: 'persistent-auth' })).status).toBe(200);
    // Without the header the cookie counts for nothing (a page of another site cannot send it).
    expect((await xml('GET', '/jobs', undefined, session)).status).toBe(401);
  });

  test('POST /ovirt-engine/services/sso-logout revokes the token and answers the SSO JSON', async () => {
    const token = (
      await e.sso({
        grant_type: 'password',
        scope: 'ovirt-app-api',
        username: 'admin@internal',
        password: ENGINE_PASSWORD,
      })
    ).body.access_token as string;
    const bearer = { authorization: `Bearer ${token}` };
    expect((await xml('GET', '', undefined, bearer)).status).toBe(200);
    const logout = await fetch(`${e.engine.url}/ovirt-engine/services/sso-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ scope: 'ovirt-app-api', token }).toString(),
    });
    expect([logout.status, logout.headers.get('content-type'), await logout.json()]).toEqual([
      200,
      'application/json; charset=utf-8',
      {},
    ]);
    expect((await xml('GET', '', undefined, bearer)).status).toBe(401);
    // An empty token (what the Go SDK sends after a password login) is no error either.
    const empty = await fetch(`${e.engine.url}/ovirt-engine/services/sso-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scope=&token=',
    });
    expect(await empty.json()).toEqual({});
  });
});
