/**
 * What the status bar item says for a host state: pure, so it is unit-tested without VS Code.
 */
import type { HostStateChange } from '../host/host-client';
import { t } from '../l10n';

export interface StatusView {
  text: string;
  /** Markdown with command links; the status bar marks it trusted for exactly these commands. */
  tooltip: string;
  /** Show the error background (crashed or gave up). */
  error: boolean;
}

const DEVICE_NAMES: Record<string, string> = { cpu: 'CPU', webgpu: 'WebGPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML' };

export const tooltipLinks = (): string =>
  t('[Restart](command:visualCoder.restartModelHost) · [Show Logs](command:visualCoder.showLogs) · [Host Info](command:visualCoder.showHostInfo)');

export function describeHostStatus(change: HostStateChange): StatusView {
  const device = change.info ? (DEVICE_NAMES[change.info.device] ?? change.info.device) : undefined;
  const withLinks = (line: string) => `${line}\n\n${tooltipLinks()}`;
  switch (change.state) {
    case 'starting':
      return { text: t('$(loading~spin) Visual Coder: starting'), tooltip: withLinks(t('Model host is starting…')), error: false };
    case 'ready':
      return {
        text: t('$(chip) Visual Coder: {0}', device ?? t('ready')),
        tooltip: withLinks(t('Model host {0} ready on **{1}** (pid {2})', change.info?.version ?? '', device ?? '?', change.info?.pid ?? '?')),
        error: false,
      };
    case 'busy':
      return {
        text: t('$(sync~spin) Visual Coder: {0}', device ?? t('busy')),
        tooltip: withLinks(
          change.busyLabel
            ? t('Model host is working on {0} (**{1}**)', escapeMarkdown(change.busyLabel), device ?? '?')
            : t('Model host is working (**{0}**)', device ?? '?'),
        ),
        error: false,
      };
    case 'crashed':
      if (change.gaveUp) {
        return {
          text: t('$(error) Visual Coder: host stopped'),
          tooltip: withLinks(escapeMarkdown(change.reason ?? t('The model host crashed too often.'))),
          error: true,
        };
      }
      return {
        text: t('$(error) Visual Coder: crashed, restarting'),
        tooltip: withLinks(t('Model host crashed: {0}', escapeMarkdown(change.reason ?? t('unknown reason')))),
        error: true,
      };
    case 'stopped':
      // Stopped with no reason is the host that was never started: it starts on first use.
      if (!change.reason) {
        return {
          text: t('$(circle-outline) Visual Coder: idle'),
          tooltip: withLinks(t('The model host starts when a Visual Coder command first needs it.')),
          error: false,
        };
      }
      return {
        text: t('$(circle-slash) Visual Coder: stopped'),
        tooltip: withLinks(t('Model host stopped: {0}', escapeMarkdown(change.reason))),
        error: false,
      };
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}
