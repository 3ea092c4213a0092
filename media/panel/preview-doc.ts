/**
 * Builds the live preview's `srcdoc`: the generated code in a document whose own CSP allows no
 * network at all (no CDN, no fonts, no images but data: URLs) and only the one script we put in:
 * the bundled Tailwind runtime, marked with the panel's nonce (a srcdoc frame inherits the
 * panel's CSP, so it needs that nonce too). Scripts the model wrote never run.
 *
 * React and Vue output cannot run without their runtimes, which the preview does not ship; their
 * markup (the JSX returned by the component, the SFC's <template>) is shown as static HTML.
 */

/** JSX markup of the first `return ( … )` of a component, as HTML. */
export function jsxToStaticHtml(code: string): string {
  const start = code.search(/return\s*\(\s*</);
  let markup: string;
  if (start >= 0) {
    const open = code.indexOf('(', start);
    let depth = 0;
    let end = code.length;
    for (let i = open; i < code.length; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')' && --depth === 0) {
        end = i;
        break;
      }
    }
    markup = code.slice(open + 1, end);
  } else {
    const first = code.indexOf('<');
    markup = first >= 0 ? code.slice(first) : '';
  }
  return markup
    .replace(/\bclassName=/g, 'class=')
    .replace(/\bhtmlFor=/g, 'for=')
    .replace(/\s(on[A-Z]\w*|key|ref|style)=\{[^}]*\}/g, '')
    .replace(/=\{(['"`])([^'"`]*)\1\}/g, '="$2"')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
    .replace(/<>|<\/>/g, '')
    .replace(/\{[^{}<>]*\}/g, '');
}

/** An SFC's template as HTML (directives and bindings dropped). */
export function vueToStaticHtml(code: string): string {
  const template = /<template[^>]*>([\s\S]*)<\/template>/i.exec(code)?.[1] ?? code;
  const style = /<style[^>]*>([\s\S]*?)<\/style>/i.exec(code)?.[1];
  const html = template.replace(/\s(v-[\w:.-]+|[:@][\w.-]+)(="[^"]*")?/g, '').replace(/\{\{[\s\S]*?\}\}/g, '');
  return (style ? `<style>${style}</style>` : '') + html;
}

export function previewBody(code: string, language: string): string {
  if (language === 'javascriptreact' || language === 'typescriptreact') return jsxToStaticHtml(code);
  if (language === 'vue') return vueToStaticHtml(code);
  return code;
}

export function previewCsp(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; script-src 'nonce-${nonce}'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
}

/** The whole srcdoc for `code`. `tailwind` is the runtime's source (empty to leave it out). */
export function buildPreviewDocument(code: string, language: string, nonce: string, tailwind: string): string {
  const body = previewBody(code, language);
  const csp = `<meta http-equiv="Content-Security-Policy" content="${previewCsp(nonce)}">`;
  // `</script` inside the runtime's text would end the element early.
  const runtime = tailwind ? `<script nonce="${nonce}">${tailwind.replace(/<\/script/gi, '<\\/script')}</script>` : '';
  const isDocument = /<html[\s>]/i.test(body);
  if (isDocument) {
    // Our CSP and runtime go first in <head> so they apply before anything the model wrote.
    const head = `${csp}${runtime}`;
    if (/<head[^>]*>/i.test(body)) return body.replace(/<head[^>]*>/i, (m) => `${m}${head}`);
    return body.replace(/<html[^>]*>/i, (m) => `${m}<head>${head}</head>`);
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${csp}${runtime}</head><body>${body}</body></html>`;
}
