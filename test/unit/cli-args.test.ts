import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, flag, UsageError } from '../../model-host/cli/command';
import { nearestName } from '../../model-host/cli/nearest-name';

const SPEC = { values: ['store', 'option', 'device'], switches: ['json'] };

test('parseArgs reads --flag value, --flag=value, switches, repeats and positionals', () => {
  const a = parseArgs(['pull', '--store', '/tmp/s', '--json', '--option=stack=react', '--option', 'x=y', 'x'], SPEC);
  assert.deepEqual(a.positional, ['pull', 'x']);
  assert.equal(flag(a, 'store'), '/tmp/s');
  assert.equal(flag(a, 'json'), 'true');
  assert.deepEqual(a.flags.get('option'), ['stack=react', 'x=y']);
  assert.equal(a.flags.has('device'), false);
});

test('parseArgs rejects a flag without its value', () => {
  assert.throws(
    () => parseArgs(['--store'], SPEC),
    (err: Error) => err instanceof UsageError && /--store/.test(err.message),
  );
});

test('a misspelt flag is a usage error that names the nearest valid flag, not a run with defaults', () => {
  assert.throws(
    () => parseArgs(['--devcie', 'cpu'], SPEC),
    (err: Error) => err instanceof UsageError && err.message === 'unknown option --devcie; did you mean --device?',
  );
  assert.throws(() => parseArgs(['--stor=/x'], SPEC), /unknown option --stor; did you mean --store\?/);
});

test('an unknown flag with no near name lists what the command takes', () => {
  assert.throws(() => parseArgs(['--temperature', '0.5'], SPEC), /unknown option --temperature; this command takes --store, --option, --device, --json/);
  assert.throws(() => parseArgs(['--x'], {}), /unknown option --x; this command takes no options/);
});

test('a switch given a value, and a value that looks like a flag, are usage errors', () => {
  assert.throws(() => parseArgs(['--json=yes'], SPEC), UsageError);
  assert.throws(() => parseArgs(['--store', '--json'], SPEC), UsageError);
});

test('after -- everything is positional', () => {
  assert.deepEqual(parseArgs(['--', '--devcie'], SPEC).positional, ['--devcie']);
});

test('nearestName takes typos, not other words', () => {
  assert.equal(nearestName('devcie', ['device', 'dtype']), 'device');
  assert.equal(nearestName('max-new-token', ['max-new-tokens', 'model']), 'max-new-tokens');
  assert.equal(nearestName('temperature', ['device', 'store']), undefined);
});
