/** The frame filter in front of both JSON-RPC readers: frames pass intact, garbage is dropped and reported. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameFilter } from '../../model-host/protocol/frame-filter';

function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

async function filter(chunks: Array<string | Buffer>): Promise<{ out: string; garbage: string[] }> {
  const garbage: string[] = [];
  const f = new FrameFilter((g) => garbage.push(g));
  const parts: Buffer[] = [];
  f.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise((r) => f.on('end', r));
  for (const c of chunks) f.write(c);
  f.end();
  await done;
  return { out: Buffer.concat(parts).toString('utf8'), garbage };
}

test('clean frames pass through byte for byte, even split into single bytes', async () => {
  const input = frame('{"id":1,"result":"héllo"}') + frame('{"id":2}');
  const bytes = [...Buffer.from(input)].map((b) => Buffer.from([b]));
  const { out, garbage } = await filter(bytes);
  assert.equal(out, input);
  assert.deepEqual(garbage, []);
});

test('text before, between and after frames is dropped and reported', async () => {
  const a = frame('{"id":1}');
  const b = frame('{"id":2,"text":"Content-Length: inside a body is fine"}');
  const { out, garbage } = await filter(['Loading... ok\n', a, 'stray line\r\n\r\n', b, 'tail']);
  assert.equal(out, a + b);
  assert.match(garbage.join(''), /Loading\.\.\. ok/);
  assert.match(garbage.join(''), /stray line/);
  assert.match(garbage.join(''), /tail/);
});

test('a header split across chunks right inside "Content-Length" still passes', async () => {
  const a = frame('{"id":1}');
  const { out } = await filter(['noise Cont', a.slice(4), '']);
  // "Cont" + rest of the frame re-forms the header; only "noise " is garbage.
  assert.equal(out, 'Cont' + a.slice(4));
});

test('a header block without Content-Length is skipped and the next frame still arrives', async () => {
  const a = frame('{"id":3}');
  const { out, garbage } = await filter(['X-Nonsense: 1\r\n\r\n' + a]);
  assert.equal(out, a);
  assert.ok(garbage.length > 0);
});
