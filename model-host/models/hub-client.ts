/**
 * The Hugging Face hub's documented download endpoints:
 * - `GET {endpoint}/api/models/{repo}/tree/{revision}?recursive=true` → file list with sizes and, for
 *   LFS files, the sha256 (`lfs.oid`); other files carry their git blob sha1 (`oid`). Long listings
 *   are paginated with a `Link: <…>; rel="next"` header.
 * - `GET {endpoint}/{repo}/resolve/{revision}/{path}` (with `Range`) → the bytes, usually after a
 *   redirect to a CDN.
 * `HF_ENDPOINT` changes the address, `HF_TOKEN` is sent as a bearer token to the hub's own host.
 */
import type { IncomingMessage } from 'node:http';
import { openGet } from './http-proxy';
import { ModelError } from './errors';

type Env = Record<string, string | undefined>;

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content, for LFS files. */
  sha256?: string;
  /** git blob sha1, for files stored in git itself. */
  gitSha1?: string;
}

export interface HubContext {
  env: Env;
  signal?: AbortSignal;
  userAgent?: string;
}

export function hubEndpoint(env: Env): string {
  return (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export function treeUrl(env: Env, repo: string, revision: string): URL {
  return new URL(`${hubEndpoint(env)}/api/models/${encodePath(repo)}/tree/${encodeURIComponent(revision)}?recursive=true`);
}

export function resolveUrl(env: Env, repo: string, revision: string, file: string): URL {
  return new URL(`${hubEndpoint(env)}/${encodePath(repo)}/resolve/${encodeURIComponent(revision)}/${encodePath(file)}`);
}

/** Turns a failed status into the error a user can act on. */
export function statusError(status: number, what: string, env: Env): ModelError {
  if (status === 401 || status === 403) {
    const token = env.HF_TOKEN
      ? "HF_TOKEN is set but the hub refused it: check that the token is valid and that you accepted the model's licence on its hub page."
      : 'The repository may be gated or private: accept its licence on the hub page and set HF_TOKEN to an access token (https://huggingface.co/settings/tokens).';
    return new ModelError('auth', `${what}: access denied (HTTP ${status}). ${token}`);
  }
  if (status === 404) return new ModelError('not-found', `${what}: not found (HTTP 404). Check the repository name, revision and file path.`);
  if (status === 416) return new ModelError('network', `${what}: the server rejected the byte range (HTTP 416)`, true);
  const transient = status === 408 || status === 429 || status >= 500;
  return new ModelError('network', `${what}: the hub answered HTTP ${status}`, transient);
}

/** GET with the hub's headers, following redirects (the token is only sent to the hub's own host). */
export async function hubGet(url: URL, ctx: HubContext, extraHeaders: Record<string, string> = {}): Promise<IncomingMessage> {
  const hubHost = new URL(hubEndpoint(ctx.env)).host;
  let current = url;
  for (let hop = 0; hop < 6; hop++) {
    const headers: Record<string, string> = { 'User-Agent': ctx.userAgent ?? 'visual-coder-model-host', ...extraHeaders };
    if (ctx.env.HF_TOKEN && current.host === hubHost) headers.Authorization = `Bearer ${ctx.env.HF_TOKEN}`;
    const res = await openGet(current, { headers, env: ctx.env, signal: ctx.signal });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current);
      continue;
    }
    return res;
  }
  throw new ModelError('network', `Too many redirects fetching ${url.href}`);
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface TreeEntry {
  type: string;
  path: string;
  size?: number;
  oid?: string;
  lfs?: { oid?: string; size?: number };
}

function nextLink(link: string | string[] | undefined): string | undefined {
  const text = Array.isArray(link) ? link.join(',') : link;
  return text?.match(/<([^>]+)>\s*;\s*rel="?next"?/)?.[1];
}

/** Every file of a repository at a revision, with size and checksum. */
export async function listRepoFiles(repo: string, revision: string, ctx: HubContext): Promise<HubFile[]> {
  const files: HubFile[] = [];
  let url: URL | undefined = treeUrl(ctx.env, repo, revision);
  for (let page = 0; url && page < 1000; page++) {
    let res: IncomingMessage;
    try {
      res = await hubGet(url, ctx);
    } catch (err) {
      if (ctx.signal?.aborted || err instanceof ModelError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ModelError(
        'network',
        `Cannot reach the hub at ${hubEndpoint(ctx.env)} (${code}): check the network connection, HF_ENDPOINT and the proxy settings (HTTPS_PROXY / VS Code's http.proxy)`,
        true,
      );
    }
    const status = res.statusCode ?? 0;
    if (status !== 200) {
      res.resume();
      throw statusError(status, `Listing ${repo}@${revision} at ${hubEndpoint(ctx.env)}`, ctx.env);
    }
    let entries: TreeEntry[];
    try {
      entries = JSON.parse(await readBody(res)) as TreeEntry[];
      if (!Array.isArray(entries)) throw new Error('not an array');
    } catch (err) {
      throw new ModelError('network', `Listing ${repo}@${revision}: the hub's answer is not a file list (${(err as Error).message})`);
    }
    for (const e of entries) {
      if (e.type !== 'file' || typeof e.path !== 'string') continue;
      const size = e.lfs?.size ?? e.size;
      if (typeof size !== 'number') continue;
      files.push(e.lfs?.oid ? { path: e.path, size, sha256: e.lfs.oid } : { path: e.path, size, gitSha1: e.oid });
    }
    const next = nextLink(res.headers.link);
    url = next ? new URL(next, url) : undefined;
  }
  return files;
}
