import type { CancellationToken } from 'vscode-jsonrpc';

/** Adapts a JSON-RPC cancellation token to the worker client's cancel hook. */
export function cancellationSignal(token: CancellationToken): { onCancel(cb: () => void): void } {
  return {
    onCancel(cb) {
      if (token.isCancellationRequested) cb();
      else token.onCancellationRequested(cb);
    },
  };
}
