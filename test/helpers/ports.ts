// Free loopback ports for processes a test starts.
import { isPortFree } from '../../cli/ports';

export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if ((await isPortFree(port)) && (await isPortFree(port + 1000))) return port;
  }
}
