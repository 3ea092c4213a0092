/**
 * The host's errors as both processes see them: the JSON-RPC codes beside the standard ones, the typed
 * `data` an error response carries, and `HostError`, the one error type the host throws where a
 * client must learn what went wrong. Every transport (stdio, HTTP, the CLI) maps it one way.
 */
import { ResponseError } from 'vscode-jsonrpc';

/** JSON-RPC error codes the host uses, beside the standard ones. */
export const HostErrorCodes = {
  /** The input image could not be used (unreadable, too large, not an image). */
  BadImage: -32010,
  /** No model is installed or selected; the client should offer a download. */
  NoModel: -32011,
  /** A model folder or download is broken. */
  BadModel: -32012,
  /** A remote server refused or failed. */
  Remote: -32013,
  /** The request was cancelled by the client. */
  Cancelled: -32800,
  /** Standard JSON-RPC: the host has no such method (or not in this mode). */
  MethodNotFound: -32601,
  /** Standard JSON-RPC: the params of a request are wrong (a field names what). */
  InvalidParams: -32602,
  /** Standard JSON-RPC: the host failed for a reason of its own. */
  Internal: -32603,
} as const;

export type HostErrorCode = (typeof HostErrorCodes)[keyof typeof HostErrorCodes];

/** The `data` of an error response: what a client can act on without parsing the message. */
export interface HostErrorData {
  /** The field of the params that is wrong (InvalidParams). */
  field?: string;
  /** A limit that was passed (prompt length, image pixels…). */
  limit?: number;
  /** What kind of failure, where a code covers several (models: not-found, auth, disk-full, checksum…). */
  kind?: string;
}

/** An error that carries a JSON-RPC code (and optional data) across the thread boundary and out to the client. */
export class HostError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: HostErrorData,
  ) {
    super(message);
  }
}

/**
 * The host error a failed request carries, read the one way every client reads it: a `HostError`
 * thrown on this side, or the JSON-RPC error response (`ResponseError`) the host answered with.
 * Anything else (a crash, a broken connection) is not a host error and gives undefined.
 */
export function hostErrorOf(err: unknown): HostError | undefined {
  if (err instanceof HostError) return err;
  if (err instanceof ResponseError) return new HostError(err.code, err.message, isErrorData(err.data) ? err.data : undefined);
  return undefined;
}

/** The code of `hostErrorOf(err)`, when there is one. */
export function hostErrorCode(err: unknown): number | undefined {
  return hostErrorOf(err)?.code;
}

function isErrorData(data: unknown): data is HostErrorData {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}
