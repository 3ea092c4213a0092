import { HostError, HostErrorCodes } from '../protocol/errors';

/** Why a model operation failed, so callers can map it (protocol error code, exit code, retry or not). */
export type ModelErrorKind = 'not-found' | 'auth' | 'disk-full' | 'checksum' | 'network' | 'cancelled' | 'busy' | 'bad-input' | 'not-installed';

/** The protocol code each kind is answered with. */
function codeOf(kind: ModelErrorKind): number {
  if (kind === 'cancelled') return HostErrorCodes.Cancelled;
  if (kind === 'not-installed') return HostErrorCodes.NoModel;
  if (kind === 'bad-input') return HostErrorCodes.InvalidParams;
  return HostErrorCodes.BadModel;
}

/** A model operation's failure: a HostError whose `data.kind` says what went wrong (not-found, auth, disk-full, …). */
export class ModelError extends HostError {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    /** Transient errors (dropped connections, 5xx) are retried with backoff. */
    readonly transient = false,
  ) {
    super(codeOf(kind), message, { kind });
    this.name = 'ModelError';
  }
}

export function cancelledError(what: string): ModelError {
  return new ModelError('cancelled', `${what} was cancelled; the partial files are kept and the next pull resumes from them`);
}

/** Errors of the socket layer worth a retry. */
export function isTransientNetworkError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof ModelError) return err.transient;
  return (
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET'].includes(
      code ?? '',
    ) || /socket hang up|aborted/i.test((err as Error | undefined)?.message ?? '')
  );
}
