import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPreviewDocument, jsxToStaticHtml, previewCsp, vueToStaticHtml } from '../../media/panel/preview-doc';

test('the preview CSP allows no network and only nonce scripts', () => {
  const csp = previewCsp('N1');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N1'/);
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /https?:|\*/);
});

test('a fragment is wrapped in a document with the CSP and the runtime first', () => {
  const doc = buildPreviewDocument('<div class="p-4">Hi</div>', 'html', 'N2', 'window.tw=1;</script>x');
  assert.match(doc, /^<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.match(doc, /<script nonce="N2">window\.tw=1;<\\\/script>x<\/script><\/head><body><div class="p-4">Hi<\/div><\/body>/);
});

test('a full document gets the CSP injected at the top of its head; model scripts keep no nonce', () => {
  const doc = buildPreviewDocument(
    '<!DOCTYPE html><html lang="en"><head><title>T</title><script src="https://cdn.tailwindcss.com"></script></head><body>x</body></html>',
    'html',
    'N3',
    '',
  );
  assert.match(doc, /<head><meta http-equiv="Content-Security-Policy"[^>]*><title>T<\/title><script src="https:\/\/cdn\.tailwindcss\.com"><\/script>/);
  const noHead = buildPreviewDocument('<html><body>y</body></html>', 'html', 'N3', '');
  assert.match(noHead, /^<html><head><meta http-equiv="Content-Security-Policy"/);
});

test('React components preview as their returned JSX with className → class and expressions dropped', () => {
  const code =
    'export default function Card() {\n  const n = 3;\n  return (\n    <div className="p-4" onClick={() => go(1)}>\n      {/* note */}<h2 className={"font-bold"}>Items {n}</h2>\n    </div>\n  );\n}\n';
  assert.equal(jsxToStaticHtml(code).trim(), '<div class="p-4">\n      <h2 class="font-bold">Items </h2>\n    </div>');
});

test('Vue SFCs preview as their template without directives, with their style', () => {
  const html = vueToStaticHtml('<template>\n  <p v-if="ok" :class="c" @click="f">Hi {{ name }}</p>\n</template>\n<style scoped>p { color: red }</style>');
  assert.equal(html, '<style>p { color: red }</style>\n  <p>Hi </p>\n');
});
