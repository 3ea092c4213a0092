/**
 * Every message between the screenshot-to-code panel (webview script `media/panel/main.ts`) and the
 * extension (`src/panel/screenshot-panel.ts`), typed once and imported by both sides.
 */
import type { PanelStrings } from './panel-strings';

export interface PanelChoice {
  id: string;
  title: string;
  language: string;
  /** How the preview renders this stack's code (default: from the language). */
  preview?: 'html' | 'react' | 'vue' | 'none';
  /** One of the user's stacks (`visualCoder.customStacks`). */
  custom?: boolean;
}

export interface PanelImage {
  /** Base64 of the encoded image (no data: prefix). */
  base64: string;
  /** MIME type for showing it (`image/png`…). */
  mime: string;
  name: string;
}

/** What the webview keeps with `setState` so a reload (or a window restart) restores the panel. */
export interface PanelState {
  image?: PanelImage;
  stack: string;
  code: string;
  language: string;
  /** Shown in the status line. */
  status: string;
}

/** webview → extension */
export type PanelToExtension =
  | { type: 'ready' }
  | { type: 'generate'; image: PanelImage; stack: string }
  | { type: 'cancel' }
  | { type: 'chooseImage' }
  | { type: 'insert'; code: string; language: string }
  | { type: 'openAsFile'; code: string; language: string }
  | { type: 'copy'; code: string };

/** extension → webview */
export type ExtensionToPanel =
  | { type: 'init'; stacks: PanelChoice[]; defaultStack: string; tailwind: string; strings: PanelStrings }
  | { type: 'image'; image: PanelImage }
  | { type: 'started' }
  | { type: 'delta'; text: string }
  | { type: 'done'; output: string; language: string; finishReason: string; message?: string }
  | { type: 'failed'; message: string }
  | { type: 'notice'; message: string };

/** The panel's view type, for `registerWebviewPanelSerializer`. */
export const PANEL_VIEW_TYPE = 'visualCoder.screenshotPanel';
