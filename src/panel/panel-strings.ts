/**
 * The panel script's own sentences, translated on the extension side (the webview has no
 * `vscode.l10n`) and sent with `init`; `{0}` placeholders are filled in the webview with `fill`.
 * Until `init` arrives the webview shows the English ones (`panelStrings` with the identity).
 */
import { formatMessage, type Translate } from '../l10n';

export function panelStrings(t: Translate) {
  return {
    idle: t('Paste (Ctrl+V), drop or choose a screenshot.'),
    imageReady: t('Image: {0}. Pick a stack and press Generate.'),
    notAnImage: t('{0} is not an image; paste or drop a PNG, JPEG, GIF, WebP, BMP or SVG.'),
    thatFile: t('That file'),
    waiting: t('Waiting for the model…'),
    generating: t('Generating…'),
    cancelled: t('Cancelled; the partial code is kept.'),
    done: t('Done.'),
    yours: t('{0} (yours)'),
  };
}

export type PanelStrings = ReturnType<typeof panelStrings>;

/** The `{0}`… of a translated sentence filled in. */
export const fill = formatMessage;

/** The English sentences, as templates (the webview fills them itself). */
export const ENGLISH_PANEL_STRINGS: PanelStrings = panelStrings((message) => message);
