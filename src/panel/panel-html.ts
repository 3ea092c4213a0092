/**
 * The panel's HTML: its own CSP with a fresh nonce per load, resources only through
 * `asWebviewUri`. `style-src 'unsafe-inline'` is there for the preview frame: a srcdoc frame
 * inherits this CSP, and Tailwind's runtime injects a <style>; scripts stay nonce-only.
 */
import type * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

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
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Screenshot to Code</title>
</head>
<body>
<div class="toolbar" role="toolbar" aria-label="Screenshot to code">
  <label for="stack">Stack</label>
  <select id="stack"></select>
  <button id="choose" class="secondary">Choose image…</button>
  <button id="generate">Generate</button>
  <button id="regenerate" class="secondary">Regenerate</button>
  <button id="cancel" class="secondary">Cancel</button>
  <button id="insert" class="secondary">Insert</button>
  <button id="open-file" class="secondary">Open as file</button>
  <button id="copy" class="secondary">Copy</button>
</div>
<p id="status" role="status" aria-live="polite"></p>
<div class="layout">
  <div id="drop-zone" tabindex="0" role="button" aria-label="Image: paste with Ctrl+V, drop a file here, or press Enter to choose one">
    <p id="drop-hint">Paste (Ctrl+V / Cmd+V) or drop a screenshot here, or press Enter to choose a file.</p>
    <img id="image" hidden alt="">
  </div>
  <pre id="code" tabindex="0" aria-label="Generated code"></pre>
</div>
<div class="preview-box">
  <h2 id="preview-title">Preview</h2>
  <div class="toolbar" role="group" aria-label="Preview width">
    <button id="width-desktop" class="secondary" aria-pressed="true">Desktop</button>
    <button id="width-mobile" class="secondary" aria-pressed="false">Mobile (375 px)</button>
  </div>
  <iframe id="preview" title="Sandboxed preview of the generated code" sandbox="allow-scripts" aria-labelledby="preview-title"></iframe>
</div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
