import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, flag, UsageError } from '../../model-host/cli/command';

test('parseArgs reads --flag value, --flag=value, switches and positionals', () => {
  const a = parseArgs(['pull', '--store', '/tmp/s', '--json', '--option=stack=react', 'x'], ['json']);
  assert.deepEqual(a.positional, ['pull', 'x']);
  assert.equal(flag(a, 'store'), '/tmp/s');
  assert.equal(flag(a, 'json'), 'true');
  assert.equal(flag(a, 'option'), 'stack=react');
});

test('parseArgs rejects a flag without its value', () => {
  assert.throws(() => parseArgs(['--store']), UsageError);
});
