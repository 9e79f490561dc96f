// Stops the Temporal dev server of global-setup.ts.
export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEMPORAL_DEV_SERVER__?.stop();
}
