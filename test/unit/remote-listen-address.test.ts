import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, isLoopbackHost } from '../../model-host/http/listen-address';
import { checkBindAllowed, parseListenAddress } from '../../model-host/cli/listen-address-option';
import { UsageError } from '../../model-host/cli/command';

test('parses HOST:PORT, [IPv6]:PORT and a bare port (loopback)', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:8000'), { host: '127.0.0.1', port: 8000 });
  assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseListenAddress('9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListenAddress('0.0.0.0:1'), { host: '0.0.0.0', port: 1 });
  for (const bad of ['', 'host:', ':80', '1.2.3.4:99999', '::1:80', 'x']) assert.throws(() => parseListenAddress(bad), UsageError, bad);
});

test('only loopback addresses bind without an API key', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '10.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
  assert.doesNotThrow(() => checkBindAllowed({ host: '127.0.0.1', port: 1 }, undefined));
  assert.throws(() => checkBindAllowed({ host: '0.0.0.0', port: 1 }, undefined), /without an API key: add --api-key/);
  assert.doesNotThrow(() => checkBindAllowed({ host: '0.0.0.0', port: 1 }, 'key'));
  assert.equal(baseUrl('::1', 80), 'http://[::1]:80/v1');
});
