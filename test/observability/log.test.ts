// The JSON logger: one object a line with its component, secrets redacted wherever a request, an error or a
// vendor's record would carry them; the Temporal SDK's lines through it with the workflow id as the flow id.
import { Writable } from 'node:stream';
import { createLogger, temporalLogger } from '../../common/log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

test('lines are JSON with level, time and component; secrets are redacted at the top, one level down and in headers', () => {
  const { lines, destination } = capture();
  const log = createLogger('server', { destination });
  log.info(
    {
      flowId: 'rapid-clone-web-01-1234abcd',
      password: 'hunter2-password',
      vendor: { id: 'acme-storage', apiKey: 'hfv_secret_key', webhookSecret: 'whsec_1' },
      engine: { token: 'sso-token-value', user: 'admin@internal' },
      req: { headers: { authorization: 'Bearer op-token', cookie: 'hf_session=abc', host: 'x' } },
    },
    'something happened',
  );
  expect(lines).toHaveLength(1);
  const [line] = lines;
  expect(line).toMatchObject({
    level: 'info',
    component: 'server',
    msg: 'something happened',
    flowId: 'rapid-clone-web-01-1234abcd',
    password: '[redacted]',
    vendor: { id: 'acme-storage', apiKey: '[redacted]', webhookSecret: '[redacted]' },
    engine: { token: '[redacted]', user: 'admin@internal' },
    req: { headers: { authorization: '[redacted]', cookie: '[redacted]', host: 'x' } },
  });
  expect(typeof line!.time).toBe('string');
  const text = JSON.stringify(lines);
  for (const secret of ['hunter2', 'hfv_secret_key', 'whsec_1', 'sso-token-value', 'op-token', 'hf_session=abc']) {
    expect(text).not.toContain(secret);
  }
});

test('the level filters lines; the SDK logger bridge maps its levels and names the flow', () => {
  const { lines, destination } = capture();
  const log = createLogger('worker', { level: 'warn', destination });
  log.info('not written');
  const sdk = temporalLogger(log);
  sdk.info('not written either');
  sdk.warn('Activity failed', { workflowId: 'rapid-clone-x-1', activityType: 'shutdownVm' });
  expect(lines).toEqual([
    expect.objectContaining({
      level: 'warn',
      component: 'worker',
      msg: 'Activity failed',
      flowId: 'rapid-clone-x-1',
      activityType: 'shutdownVm',
    }),
  ]);
});
