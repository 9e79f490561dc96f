// The production-like compose file as an attacker on the network would see it: Temporal's gRPC port (no auth: list,
// signal, terminate any flow) and its UI are published on the host's loopback unless the operator opts in.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const compose = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { ports?: string[]; environment?: Record<string, string> }>;
};

/** The host address a published port binds to, with the compose defaults applied: `${VAR:-default}` -> default. */
const hostAddress = (port: string) =>
  port
    .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
    .split(':')
    .slice(0, -2)
    .join(':');

test.each([
  ['temporal', '7233'],
  ['temporal-ui', '8080'],
])('%s publishes its port on 127.0.0.1 unless the operator opts in', (service, containerPort) => {
  const ports = compose.services[service]?.ports ?? [];
  expect(ports).toHaveLength(1);
  expect(ports[0]!.endsWith(`:${containerPort}`)).toBe(true);
  expect(hostAddress(ports[0]!)).toBe('127.0.0.1');
  expect(ports[0]).toMatch(/\$\{TEMPORAL(_UI)?_BIND:-127\.0\.0\.1\}/);
});

test('no other service publishes a port of Temporal or the engine on every interface', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const port of service.ports ?? []) {
      if (/:(7233|8233|8070)$/.test(port) || /^(7233|8233|8070):/.test(port))
        expect(`${name} ${hostAddress(port)}`).toBe(`${name} 127.0.0.1`);
    }
  }
  expect(compose.services.server?.environment).toHaveProperty('HF_ALLOWED_HOSTS');
});
