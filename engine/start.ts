// Starts the built-in engine: opens the database, seeds it on first start, applies oVirt's restart behaviour,
// listens, and runs the periodic clean-up.
import http from 'node:http';
import { createApp } from './app';
import { Authenticator } from './auth';
import { openDatabase } from './db';
import { InventoryStore } from './inventory/store';
import { OVIRT_CLEANUP, scheduleJobCleanup } from './jobs/cleanup';
import { JobService } from './jobs/service';
import { JobStore } from './jobs/store';
import { FaultInjector } from './fault-injection/injector';
import { allowedHostSet } from './host-guard';
import { parseFaultsOption } from './fault-injection/rules';
import { createInventoryServices } from './inventory/services';
import { builtInSeed, plantSeed, readSeedFile } from './seed';
import { StorageArray } from './storage-array/service';

export interface EngineOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Directory of the SQLite database `engine.db`; created if missing. */
  dataDir: string;
  /** @default 'admin@internal' */
  adminUser?: string;
  /** Password of the admin user (and of `user@internal`, whose `user` role may only read). */
  adminPassword: string;
  /** JSON inventory used instead of the built-in seed when the database is empty. */
  seedFile?: string;
  /** Duration of VM powering_up / powering_down and disk locks, in milliseconds. @default 2000 */
  transitionMs?: number;
  /** Clean-up of auto-cleared jobs, in minutes. @default { intervalMin: 10, succeededMin: 10, failedMin: 60 } */
  cleanup?: { intervalMin: number; succeededMin: number; failedMin: number };
  /** On start, STARTED external jobs and steps become UNKNOWN, as in oVirt. @default true */
  unknownOnRestart?: boolean;
  /**
   * Fault-injection rules as a JSON string: an array of `{pathPattern, method?, latencyMs?, errorRate?, failNext?}`
   * (or `{"rules": [...]}`), the same as `PUT /builtin/faults`. @default none
   */
  faults?: string;
  /**
   * Host names (or addresses) clients may reach the engine by, besides loopback (`localhost`, `127.0.0.1`, `::1`)
   * and `host` when it is a specific address: a request whose `Host` names another host is refused (421), and so is
   * a write whose `Origin` does (403), against DNS rebinding and cross-site writes. Names only, any port.
   * Needed when clients use a DNS name or another address (e.g. a container name with `host: '0.0.0.0'`).
   * @default []
   */
  allowedHosts?: readonly string[];
  /**
   * The engine's clock, in epoch milliseconds: times of jobs, steps and inventory, when work is due, token expiry
   * and login throttling (tests move it instead of sleeping). Timers still wait in real time. @default Date.now
   */
  now?: () => number;
}

export interface RunningEngine {
  /** `http://host:port` */
  url: string;
  /** `url + '/ovirt-engine/api'` */
  apiUrl: string;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use (${host}:${port})`, { cause: err })
          : new Error(`cannot listen on ${host}:${port}: ${err.message}`, { cause: err }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function startEngine(options: EngineOptions): Promise<RunningEngine> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const faults = new FaultInjector(options.faults ? parseFaultsOption(options.faults) : []);
  const db = openDatabase(options.dataDir);
  let stopCleanup: (() => void) | undefined;
  let stopWork: (() => void) | undefined;
  let stopAuth: (() => void) | undefined;
  try {
    const auth = new Authenticator(db, {
      adminUser: options.adminUser ?? 'admin@internal',
      adminPassword: options.adminPassword,
      now,
    });
    stopAuth = () => auth.close();
    const inventory = new InventoryStore(db);
    if (inventory.isEmpty()) plantSeed(db, options.seedFile ? readSeedFile(options.seedFile) : builtInSeed, now());
    const jobStore = new JobStore(db, now);
    if (options.unknownOnRestart ?? true) jobStore.markStartedExternalUnknown();
    const inventoryServices = createInventoryServices(db, inventory, jobStore, options.transitionMs ?? 2000);
    stopWork = () => inventoryServices.work.stop();
    inventoryServices.work.resume();
    const storageArray = new StorageArray(db, inventory, now);

    const server = http.createServer(
      createApp({
        auth,
        jobs: new JobService(jobStore),
        inventory,
        inventoryServices,
        storageArray,
        faults,
        allowedHosts: allowedHostSet(host, options.allowedHosts),
      }),
    );
    const port = await listen(server, options.port, host);
    stopCleanup = scheduleJobCleanup(jobStore, options.cleanup ?? OVIRT_CLEANUP);

    const urlHost = host.includes(':') ? `[${host}]` : host;
    const url = `http://${urlHost}:${port}`;
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= new Promise<void>((resolve, reject) => {
        stopCleanup?.();
        stopWork?.();
        stopAuth?.();
        server.close((err) => {
          db.close();
          if (err) reject(err);
          else resolve();
        });
        server.closeAllConnections();
      }));
    return { url, apiUrl: `${url}/ovirt-engine/api`, close };
  } catch (err) {
    stopCleanup?.();
    stopWork?.();
    stopAuth?.();
    db.close();
    throw err;
  }
}
