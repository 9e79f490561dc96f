// temporalConnectionOptions: what clients and workers send to Temporal, checked at the wire against a tiny gRPC
// server (TLS with certificates from the cluster's own generator) that records each call's metadata.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../common/config';
import { generateCertificates, type ClusterTls } from '../../cli/stack/temporal-cluster';
import { TemporalTlsFileError, temporalConnectionOptions } from '../../cli/stack/temporal-connection';
import { installRuntime } from '../../cli/stack/temporal-runtime';

let dir: string;
let certs: ClusterTls;
let server: grpc.Server;
let port: number;
const authorizations: string[] = [];

const raw = (b: Buffer) => b;
const getSystemInfo: grpc.MethodDefinition<Buffer, Buffer> = {
  path: '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
  requestStream: false,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
};

beforeAll(async () => {
  installRuntime('ERROR');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hybridflow-tls-'));
  certs = await generateCertificates(dir);
  server = new grpc.Server();
  server.addService({ GetSystemInfo: getSystemInfo } as grpc.ServiceDefinition, {
    GetSystemInfo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      authorizations.push(String(call.metadata.get('authorization')[0] ?? ''));
      callback(null, Buffer.alloc(0)); // an empty GetSystemInfoResponse
    },
  });
  const credentials = grpc.ServerCredentials.createSsl(null, [
    { cert_chain: fs.readFileSync(certs.serverCertFile), private_key: fs.readFileSync(certs.serverKeyFile) },
  ]);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const cloudEnv = () => ({
  TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
  TEMPORAL_API_KEY: 'test-api-key',
  TEMPORAL_TLS_CA_FILE: certs.caFile,
  TEMPORAL_TLS_SERVER_NAME: 'localhost',
});

test('TEMPORAL_API_KEY implies TLS and goes out as `authorization: Bearer <key>` from clients and workers', async () => {
  const options = temporalConnectionOptions(loadConfig(cloudEnv()));
  expect(options).toMatchObject({
    address: `127.0.0.1:${port}`,
    apiKey: 'test-api-key',
    tls: { serverNameOverride: 'localhost' },
  });

  authorizations.length = 0;
  const connection = await Connection.connect(options);
  await connection.workflowService.getSystemInfo({});
  await connection.close();
  expect(authorizations.length).toBeGreaterThan(0);
  expect(new Set(authorizations)).toEqual(new Set(['Bearer test-api-key']));

  authorizations.length = 0;
  const native = await NativeConnection.connect(options);
  await native.close();
  expect(authorizations).toContain('Bearer test-api-key');
});

test('without TLS settings the connection is plaintext; TEMPORAL_TLS alone uses the system trust store', () => {
  expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({
    address: 'temporal:7233',
  });
  expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_TLS: 'true' }))).toEqual({
    address: 'temporal:7233',
    tls: {},
  });
});

test('a client certificate pair is read from its files; an unreadable file names its variable', () => {
  const mtls = temporalConnectionOptions(
    loadConfig({ TEMPORAL_TLS_CERT_FILE: certs.clientCertFile, TEMPORAL_TLS_KEY_FILE: certs.clientKeyFile }),
  );
  expect(mtls.tls?.clientCertPair?.crt.toString()).toContain('BEGIN CERTIFICATE');
  expect(mtls.tls?.serverRootCACertificate).toBeUndefined();

  const missing = path.join(dir, 'missing.pem');
  const attempt = () => temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_CA_FILE: missing }));
  expect(attempt).toThrow(TemporalTlsFileError);
  expect(attempt).toThrow(`TEMPORAL_TLS_CA_FILE: cannot read ${missing}`);
});
