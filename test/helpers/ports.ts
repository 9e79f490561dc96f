// Free loopback ports for processes a test starts.
import { isPortFree } from '../../cli/stack/ports';

export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 11000); // below the ephemeral range (32768+) that port 0 hands out
    if ((await isPortFree(port)) && (await isPortFree(port + 1000))) return port;
  }
}
