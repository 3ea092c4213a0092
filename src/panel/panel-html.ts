/**
 * The panel's HTML: its own CSP with a fresh nonce per load, resources only through
 * `asWebviewUri`. `style-src 'unsafe-inline'` is there for the preview frame: a srcdoc frame
 * inherits this CSP, and Tailwind's runtime injects a <style>; scripts stay nonce-only.
 */
import type * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { t } from '../l10n';

/** Text for HTML (translations may hold <, & or quotes). */
const h = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, vs: typeof vscode): string {
  const nonce = randomBytes(16)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  const script = webview.asWebviewUri(vs.Uri.joinPath(extensionUri, 'dist', 'webview', 'panel.js'));
  const style = webview.asWebviewUri(vs.Uri.joinPath(extensionUri, 'media', 'panel', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${h(vs.env?.language ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${h(t('Screenshot to Code'))}</title>
</head>
<body>
<div class="toolbar" role="toolbar" aria-label="${h(t('Screenshot to code'))}">
  <label for="stack">${h(t('Stack'))}</label>
  <select id="stack"></select>
  <button id="choose" class="secondary">${h(t('Choose image…'))}</button>
  <button id="generate">${h(t('Generate'))}</button>
  <button id="regenerate" class="secondary">${h(t('Regenerate'))}</button>
  <button id="cancel" class="secondary">${h(t('Cancel'))}</button>
  <button id="insert" class="secondary">${h(t('Insert'))}</button>
  <button id="open-file" class="secondary">${h(t('Open as file'))}</button>
  <button id="copy" class="secondary">${h(t('Copy'))}</button>
</div>
<p id="status" role="status" aria-live="polite"></p>
<div class="layout">
  <div id="drop-zone" tabindex="0" role="button" aria-label="${h(t('Image: paste with Ctrl+V, drop a file here, or press Enter to choose one'))}">
    <p id="drop-hint">${h(t('Paste (Ctrl+V / Cmd+V) or drop a screenshot here, or press Enter to choose a file.'))}</p>
    <img id="image" hidden alt="">
  </div>
  <pre id="code" tabindex="0" aria-label="${h(t('Generated code'))}"></pre>
</div>
<div class="preview-box">
  <h2 id="preview-title">${h(t('Preview'))}</h2>
  <div class="toolbar" role="group" aria-label="${h(t('Preview width'))}">
    <button id="width-desktop" class="secondary" aria-pressed="true">${h(t('Desktop'))}</button>
    <button id="width-mobile" class="secondary" aria-pressed="false">${h(t('Mobile (375 px)'))}</button>
  </div>
  <iframe id="preview" title="${h(t('Sandboxed preview of the generated code'))}" sandbox="allow-scripts" aria-labelledby="preview-title"></iframe>
</div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
