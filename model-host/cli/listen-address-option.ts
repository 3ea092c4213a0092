/**
 * The `--http` address of `model-host serve`: `HOST:PORT`, `[IPv6]:PORT` or a bare `PORT` (loopback).
 * Serving the model to other machines is a deliberate choice, so a non-loopback address needs an
 * API key.
 */
import { UsageError } from './command';
import { isLoopbackHost, type ListenAddress } from '../http/listen-address';

export function parseListenAddress(value: string): ListenAddress {
  const text = value.trim();
  let host = '127.0.0.1';
  let portText = text;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (text.includes(':')) {
    const colon = text.lastIndexOf(':');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw new UsageError(`--http ${value}: write an IPv6 address in brackets, e.g. [::1]:8000`);
  }
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new UsageError(`--http ${value}: expected HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:8000`);
  }
  if (host === '') throw new UsageError(`--http ${value}: the host is empty; e.g. 127.0.0.1:8000`);
  return { host, port: Number(portText) };
}

/** Throws a UsageError when the address would expose the model without a key. */
export function checkBindAllowed(address: ListenAddress, apiKey: string | undefined): void {
  if (isLoopbackHost(address.host) || apiKey) return;
  throw new UsageError(
    `refusing to serve on ${address.host}, which other machines can reach, without an API key: add --api-key KEY ` +
      `(clients then send "Authorization: Bearer KEY"), or bind to 127.0.0.1.`,
  );
}
