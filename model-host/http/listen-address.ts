/** Where the HTTP server listens, and what that address means: loopback or reachable from other machines. */
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

/** `http://host:port/v1` for messages and clients. */
export function baseUrl(host: string, port: number): string {
  return `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}/v1`;
}
