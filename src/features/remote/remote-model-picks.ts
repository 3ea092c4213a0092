/**
 * Choose Remote Model's list: models that read images first, then those nobody has said, then the
 * text-only ones under their own separator (still pickable: the server may know better), and, while
 * some are unknown, an entry to ask them with a one-pixel image (the user can just pick instead).
 */
import type { QuickPickItem } from 'vscode';
import type { RemoteModelInfo } from '../../../model-host/protocol';
import { t } from '../../l10n';

export type RemoteModelPick = QuickPickItem & { model?: string; probe?: true };

/** The QuickPickItemKind.Separator value (the enum lives in the vscode runtime this module does not load). */
const SEPARATOR = -1;

export function remoteModelPicks(details: RemoteModelInfo[], current: string | undefined): RemoteModelPick[] {
  const item = (m: RemoteModelInfo): RemoteModelPick => {
    const notes = [m.id === current ? t('current') : undefined, m.vision === 'yes' ? t('reads images') : m.vision === 'no' ? t('text only') : undefined];
    return {
      label: `${m.vision === 'yes' ? '$(eye) ' : m.vision === 'no' ? '$(circle-slash) ' : '$(question) '}${m.id}`,
      description: notes.filter(Boolean).join(' · ') || undefined,
      detail: m.source ? t('according to {0}', m.source) : m.vision === 'unknown' ? t('the server does not say whether it reads images') : undefined,
      model: m.id,
    };
  };
  const of = (vision: RemoteModelInfo['vision']) => details.filter((m) => m.vision === vision).map(item);
  const unknown = of('unknown');
  const picks: RemoteModelPick[] = [...of('yes'), ...unknown];
  const textOnly = of('no');
  if (textOnly.length) picks.push({ label: t('Text only: these cannot read the image'), kind: SEPARATOR } as RemoteModelPick, ...textOnly);
  if (unknown.length) {
    picks.push({ label: '', kind: SEPARATOR } as RemoteModelPick, {
      label: t('$(beaker) Check which models read images…'),
      detail: t('Sends each of the {0} unknown model(s) a one-pixel image; the server may load each model to answer', unknown.length),
      probe: true,
    });
  }
  return picks;
}

/** Earlier answers with the probe's results over the unknown ones. */
export function mergeProbe(details: RemoteModelInfo[], probed: RemoteModelInfo[]): RemoteModelInfo[] {
  return details.map((d) => (d.vision === 'unknown' ? (probed.find((p) => p.id === d.id) ?? d) : d));
}
