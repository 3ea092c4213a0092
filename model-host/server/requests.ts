/**
 * How the stdio server answers requests, one way for every method: a handler returns its result or
 * throws; a `HostError` (and anything extending it) becomes its code, message and typed data, a
 * cancelled request becomes Cancelled, and anything else is an internal error with its message.
 * Params are checked against the method's validator first (see `protocol/validate.ts`), so a wrongly
 * typed field is InvalidParams naming the field, never a crash inside a handler.
 */
import * as rpc from 'vscode-jsonrpc';
import { HostError, HostErrorCodes, type HostErrorData } from '../protocol/errors';

/** The response error for a failure (`token` says whether the client cancelled the request). */
export function toResponseError(err: unknown, token?: rpc.CancellationToken): rpc.ResponseError<HostErrorData | undefined> {
  if (err instanceof rpc.ResponseError) return err as rpc.ResponseError<HostErrorData | undefined>;
  if (err instanceof HostError) return new rpc.ResponseError(err.code, err.message, err.data);
  const message = err instanceof Error ? err.message : String(err);
  if (token?.isCancellationRequested) return new rpc.ResponseError(HostErrorCodes.Cancelled, `cancelled: ${message}`);
  return new rpc.ResponseError(HostErrorCodes.Internal, message);
}

type Handler<P, R> = (params: P, token: rpc.CancellationToken) => R | Promise<R>;

/** Registers a handler whose params are validated first and whose failures are mapped by `toResponseError`. */
export function onRequest<P, R>(
  connection: rpc.MessageConnection,
  type: rpc.RequestType<P, R, void>,
  handler: Handler<P, R>,
  validate?: (params: unknown) => P,
): void {
  const wrapped = async (params: P, token: rpc.CancellationToken): Promise<R> => {
    try {
      return await handler(validate ? validate(params) : params, token);
    } catch (err) {
      throw toResponseError(err, token);
    }
  };
  connection.onRequest(type, wrapped as rpc.RequestHandler<P, R, void>);
}

/** The same for requests without params. */
export function onRequest0<R>(
  connection: rpc.MessageConnection,
  type: rpc.RequestType0<R, void>,
  handler: (token: rpc.CancellationToken) => R | Promise<R>,
): void {
  const wrapped = async (token: rpc.CancellationToken): Promise<R> => {
    try {
      return await handler(token);
    } catch (err) {
      throw toResponseError(err, token);
    }
  };
  connection.onRequest(type, wrapped as rpc.RequestHandler0<R, void>);
}
