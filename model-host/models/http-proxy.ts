/**
 * Opens HTTP(S) requests the way the user's network needs: directly, or through the proxy named by
 * `HTTPS_PROXY` / `HTTP_PROXY` (lower-case too), minus the hosts in `NO_PROXY`. From VS Code, the
 * extension passes its `http.proxy` setting to the host as `HTTPS_PROXY`/`HTTP_PROXY`.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { Socket } from 'node:net';

type Env = Record<string, string | undefined>;

function envVar(env: Env, name: string): string | undefined {
  return env[name] || env[name.toLowerCase()] || undefined;
}

/** True when `NO_PROXY` lists the host (exact, a domain suffix like `.corp` / `corp`, or `*`). */
export function bypassesProxy(url: URL, env: Env): boolean {
  const noProxy = envVar(env, 'NO_PROXY');
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase();
  return noProxy
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      const [name, port] = entry.toLowerCase().split(':');
      if (name === '*') return true;
      if (port && port !== (url.port || (url.protocol === 'https:' ? '443' : '80'))) return false;
      const bare = name.replace(/^\*?\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** The proxy to use for a URL, if any. */
export function proxyFor(url: URL, env: Env): URL | undefined {
  if (bypassesProxy(url, env)) return undefined;
  const raw = url.protocol === 'https:' ? (envVar(env, 'HTTPS_PROXY') ?? envVar(env, 'HTTP_PROXY')) : envVar(env, 'HTTP_PROXY');
  if (!raw) return undefined;
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new Error(`The proxy setting "${raw}" is not a URL; set HTTPS_PROXY/HTTP_PROXY (or VS Code's http.proxy) to e.g. http://proxy:3128`);
  }
}

function proxyAuthHeader(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(creds).toString('base64')}` };
}

/** Opens a tunnel through the proxy with CONNECT and resolves to a TLS socket to the target. */
function connectTunnel(proxy: URL, target: URL, signal?: AbortSignal): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const port = target.port || '443';
    const req = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: 'CONNECT',
      path: `${target.hostname}:${port}`,
      headers: { Host: `${target.hostname}:${port}`, ...proxyAuthHeader(proxy) },
      signal,
    });
    req.once('connect', (res, socket: Socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`The proxy ${proxy.host} refused the tunnel to ${target.host} (HTTP ${res.statusCode})`));
        return;
      }
      resolve(tls.connect({ socket, servername: target.hostname }));
    });
    req.once('error', reject);
    req.end();
  });
}

export interface OpenOptions {
  headers: Record<string, string>;
  env: Env;
  signal?: AbortSignal;
}

/** Sends a GET and resolves to the response (any status); the caller consumes or destroys it. */
export async function openGet(url: URL, options: OpenOptions): Promise<http.IncomingMessage> {
  const proxy = proxyFor(url, options.env);
  let request: http.ClientRequest;
  if (!proxy) {
    const mod = url.protocol === 'https:' ? https : http;
    request = mod.request(url, { method: 'GET', headers: options.headers, signal: options.signal });
  } else if (url.protocol === 'http:') {
    // Plain HTTP through a proxy: the absolute URL goes in the request line.
    request = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: 'GET',
      path: url.href,
      headers: { ...options.headers, Host: url.host, ...proxyAuthHeader(proxy) },
      signal: options.signal,
    });
  } else {
    const socket = await connectTunnel(proxy, url, options.signal);
    request = https.request(url, { method: 'GET', headers: options.headers, signal: options.signal, agent: false, createConnection: () => socket });
  }
  return new Promise((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}
