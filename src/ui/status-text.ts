/**
 * What the status bar item says for a host state: pure, so it is unit-tested without VS Code.
 */
import type { HostStateChange } from '../host/host-client';

export interface StatusView {
  text: string;
  /** Markdown with command links; the status bar marks it trusted for exactly these commands. */
  tooltip: string;
  /** Show the error background (crashed or gave up). */
  error: boolean;
}

const DEVICE_NAMES: Record<string, string> = { cpu: 'CPU', webgpu: 'WebGPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML' };

export const TOOLTIP_LINKS =
  '[Restart](command:visualCoder.restartModelHost) · [Show Logs](command:visualCoder.showLogs) · [Host Info](command:visualCoder.showHostInfo)';

export function describeHostStatus(change: HostStateChange): StatusView {
  const device = change.info ? (DEVICE_NAMES[change.info.device] ?? change.info.device) : undefined;
  const withLinks = (line: string) => `${line}\n\n${TOOLTIP_LINKS}`;
  switch (change.state) {
    case 'starting':
      return { text: '$(loading~spin) Visual Coder: starting', tooltip: withLinks('Model host is starting…'), error: false };
    case 'ready':
      return {
        text: `$(chip) Visual Coder: ${device ?? 'ready'}`,
        tooltip: withLinks(`Model host ${change.info?.version ?? ''} ready on **${device ?? '?'}** (pid ${change.info?.pid ?? '?'})`),
        error: false,
      };
    case 'busy':
      return {
        text: `$(sync~spin) Visual Coder: ${device ?? 'busy'}`,
        tooltip: withLinks(`Model host is working${change.busyLabel ? ` on ${escapeMarkdown(change.busyLabel)}` : ''} (**${device ?? '?'}**)`),
        error: false,
      };
    case 'crashed':
      if (change.gaveUp) {
        return {
          text: '$(error) Visual Coder: host stopped',
          tooltip: withLinks(escapeMarkdown(change.reason ?? 'The model host crashed too often.')),
          error: true,
        };
      }
      return {
        text: '$(error) Visual Coder: crashed, restarting',
        tooltip: withLinks(`Model host crashed: ${escapeMarkdown(change.reason ?? 'unknown reason')}`),
        error: true,
      };
    case 'stopped':
      // Stopped with no reason is the host that was never started: it starts on first use.
      if (!change.reason) {
        return {
          text: '$(circle-outline) Visual Coder: idle',
          tooltip: withLinks('The model host starts when a Visual Coder command first needs it.'),
          error: false,
        };
      }
      return {
        text: '$(circle-slash) Visual Coder: stopped',
        tooltip: withLinks(`Model host stopped${change.reason ? `: ${escapeMarkdown(change.reason)}` : ''}`),
        error: false,
      };
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}
