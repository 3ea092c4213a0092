import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPreviewDocument, jsxToStaticHtml, previewBody, previewCsp, previewRuntimeOf, vueToStaticHtml } from '../../media/panel/preview-doc';

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

test('a full document follows our CSP and runtime: nothing the model wrote can come before them', () => {
  const doc = buildPreviewDocument(
    '<!DOCTYPE html><html lang="en"><head><title>T</title><script src="https://cdn.tailwindcss.com"></script></head><body>x</body></html>',
    'html',
    'N3',
    '',
  );
  assert.match(
    doc,
    /^<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"[^>]*><\/head><!DOCTYPE html><html lang="en"><head><title>T/,
  );
  assert.doesNotMatch(doc, /nonce="N3"[^>]*src=/, 'model scripts keep no nonce');
  // Hostile text that fooled a "first <head" search: a commented head, a head in an attribute.
  for (const hostile of [
    '<!--<head>--><html><head></head><body>a</body></html>',
    '<html><body><p title="<head>">b</p></body></html>',
    '<head data-x=">"><base href="https://evil.example/">',
  ]) {
    const d = buildPreviewDocument(hostile, 'html', 'N4', '');
    assert.ok(d.indexOf('Content-Security-Policy') < d.indexOf(hostile.slice(0, 8)), hostile);
    assert.ok(d.startsWith('<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"'), hostile);
  }
});

test('a meta refresh is removed: the preview must not navigate away', () => {
  for (const tag of [
    '<meta http-equiv="refresh" content="0; url=https://evil.example">',
    "<META HTTP-EQUIV='Refresh' CONTENT='1'>",
    '<meta content="0" http-equiv=refresh>',
  ]) {
    assert.doesNotMatch(buildPreviewDocument(`<p>a</p>${tag}<p>b</p>`, 'html', 'N', ''), /refresh/i, tag);
  }
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

test("a custom stack's preview runtime overrides its language's; none shows a note instead of the code", () => {
  assert.equal(previewRuntimeOf('svelte'), 'html');
  assert.equal(previewRuntimeOf('typescriptreact'), 'react');
  assert.equal(previewRuntimeOf('svelte', 'vue'), 'vue');
  const sfcLike = '<template><h1 v-if="x">Hi</h1></template>';
  assert.equal(previewBody(sfcLike, 'svelte', 'vue'), '<h1>Hi</h1>');
  const dart = 'class Hero extends StatelessWidget { Widget build(c) => Text("<b>x</b>"); }';
  const none = previewBody(dart, 'dart', 'none');
  assert.doesNotMatch(none, /StatelessWidget/);
  assert.match(none, /no preview/);
  assert.match(buildPreviewDocument(dart, 'dart', 'n1', '', 'none'), /This stack has no preview/);
});
