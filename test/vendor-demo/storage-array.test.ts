// The demo vendor's storage-array client against a fake array (a unit test: the engine's hook is the boundary):
// a busy or briefly unreachable array is tried again, a refusal is final at once.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createStorageArray, StorageArrayError } from '../../vendor-demo/storage-array';

let server: http.Server;
let answers: number[] = [];
let seen = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen++;
    const status = answers.shift() ?? 204;
    if (status === 0) return req.socket.destroy(); // the connection drops
    res.writeHead(status).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
  seen = 0;
});

const array = () =>
  createStorageArray({
    engineUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    user: 'a',
    password: 'b',
  });

test('503, 409 and a dropped connection are tried again until the array answers', async () => {
  answers = [503, 0, 409];
  await array().deleteImage('sd', 'img');
  expect(seen).toBe(4);
});

test('a refusal (400) is final at once; a busy array gives up after five tries', async () => {
  answers = [400];
  await expect(array().deleteImage('sd', 'img')).rejects.toMatchObject({ status: 400 });
  expect(seen).toBe(1);
  answers = [503, 503, 503, 503, 503, 503];
  seen = 0;
  await expect(array().deleteImage('sd', 'img')).rejects.toBeInstanceOf(StorageArrayError);
  expect(seen).toBe(5);
});
