import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, type SseEvent } from '../../model-host/engines/remote/sse-parser';

/** Feeds `bytes` split at every given offset and returns all events plus the end state. */
function parseSplit(bytes: Buffer, cuts: number[]): { events: SseEvent[]; unterminated: boolean } {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(at, cut)));
    at = cut;
  }
  const end = parser.end();
  return { events: [...events, ...end.events], unterminated: end.unterminated };
}

const stream = Buffer.from(
  ': keep-alive\r\n\r\n' + 'data: {"t":"héllo → 世界 🎉"}\r\n\r\n' + 'event: ping\ndata: a\ndata: b\n\n' + 'data:no-space\r\rdata: [DONE]\n\n',
  'utf8',
);
const expected: SseEvent[] = [{ data: '{"t":"héllo → 世界 🎉"}' }, { event: 'ping', data: 'a\nb' }, { data: 'no-space' }, { data: '[DONE]' }];

test('parses data lines, events, comments and all three line endings in one chunk', () => {
  assert.deepEqual(parseSplit(stream, []), { events: expected, unterminated: false });
});

test('gives the same events for a split at every byte offset (inside lines, CRLF and UTF-8 characters)', () => {
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(parseSplit(stream, [cut]).events, expected, `split at byte ${cut}`);
  }
});

test('gives the same events when fed one byte at a time', () => {
  const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
  assert.deepEqual(parseSplit(stream, cuts).events, expected);
});

test('a 4-byte emoji split across three chunks decodes intact', () => {
  const bytes = Buffer.from('data: 🎉\n\n', 'utf8');
  const emojiAt = bytes.indexOf(0xf0);
  assert.deepEqual(parseSplit(bytes, [emojiAt + 1, emojiAt + 3]).events, [{ data: '🎉' }]);
});

test('an event without its blank line at the end is dropped and reported as unterminated', () => {
  const result = parseSplit(Buffer.from('data: one\n\ndata: {"partial'), []);
  assert.deepEqual(result.events, [{ data: 'one' }]);
  assert.equal(result.unterminated, true);
});

test('a trailing CR at the end of the stream still ends its line', () => {
  const result = parseSplit(Buffer.from('data: x\r\r'), []);
  assert.deepEqual(result, { events: [{ data: 'x' }], unterminated: false });
});

test('a leading byte-order mark, an empty data field and an id are handled', () => {
  const result = parseSplit(Buffer.from('\ufeffid: 7\ndata\n\n', 'utf8'), []);
  assert.deepEqual(result.events, [{ data: '', id: '7' }]);
});

test('comments only and blank lines produce no events', () => {
  assert.deepEqual(parseSplit(Buffer.from(':a\n\n: b\r\n\r\n\n'), [3]), { events: [], unterminated: false });
});
