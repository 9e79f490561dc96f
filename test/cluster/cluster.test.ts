// The real Temporal cluster of global-setup.ts: namespace and search attributes, mTLS enforced, and a workflow run
// end to end over the connection options every hybridflow process builds from its TEMPORAL_* variables.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../common/config';
import { searchAttributes } from '../../common/search-attributes';
import { temporalConnectionOptions } from '../../cli/stack/temporal-connection';
import { installRuntime } from '../../cli/stack/temporal-runtime';
import { clusterEnv, clusterInfo } from './cluster-info';
import { greetingActivities } from './fixtures/greeting-activities';

const info = clusterInfo();
const options = () => temporalConnectionOptions(loadConfig(clusterEnv(info)));

beforeAll(() => installRuntime('ERROR'));

test('the namespace exists with hybridflow’s search attributes (as Keyword)', async () => {
  const connection = await Connection.connect(options());
  try {
    const described = await connection.workflowService.describeNamespace({ namespace: info.namespace });
    expect(described.namespaceInfo?.name).toBe(info.namespace);
    const listed = await connection.operatorService.listSearchAttributes({ namespace: info.namespace });
    for (const attribute of searchAttributes) {
      expect(listed.customAttributes?.[attribute.name]).toBe(
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      );
    }
  } finally {
    await connection.close();
  }
});

test('the frontend refuses a client without a client certificate, and plaintext', async () => {
  const call = async (connectOptions: Parameters<typeof Connection.connect>[0]) => {
    const connection = await Connection.connect({ ...connectOptions, connectTimeout: 3000 });
    try {
      await connection.workflowService.getSystemInfo({});
    } finally {
      await connection.close();
    }
  };
  const ca = fs.readFileSync(info.tls.caFile);
  await expect(
    call({ address: info.address, tls: { serverRootCACertificate: ca, serverNameOverride: info.tls.serverName } }),
  ).rejects.toThrow();
  await expect(call({ address: info.address })).rejects.toThrow();
});

test('a worker and a client on temporalConnectionOptions(TEMPORAL_TLS_*) run a workflow end to end', async () => {
  const connection = await Connection.connect(options());
  const nativeConnection = await NativeConnection.connect(options());
  try {
    const taskQueue = `cluster-${randomUUID().slice(0, 8)}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: info.namespace,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/greeting-workflow'),
      activities: greetingActivities,
    });
    const client = new Client({ connection, namespace: info.namespace });
    const result = await worker.runUntil(
      client.workflow.execute('greeting', { taskQueue, workflowId: `greeting-${randomUUID()}`, args: ['cluster'] }),
    );
    expect(result).toBe('Hello, cluster!');
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
});
