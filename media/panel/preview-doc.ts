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

/**
 * `<meta http-equiv="refresh">` would navigate the preview away (the panel's CSP blocks the target, but
 * the user is left with an error page instead of the preview): it is removed. Everything else the
 * model wrote is contained by the CSP and the sandbox.
 */
function withoutRefresh(html: string): string {
  return html.replace(/<meta\b[^>]*http-equiv\s*=\s*(["']?)\s*refresh\s*\1[^>]*>/gi, '');
}

export type PreviewRuntime = 'html' | 'react' | 'vue' | 'none';

/** What a language previews as when its stack does not say (a custom stack may: Svelte markup is close to HTML). */
export function previewRuntimeOf(language: string, preview?: PreviewRuntime): PreviewRuntime {
  if (preview) return preview;
  if (language === 'javascriptreact' || language === 'typescriptreact') return 'react';
  if (language === 'vue') return 'vue';
  return 'html';
}

/** Shown in the frame for a stack whose code cannot be previewed (e.g. Flutter). */
const NO_PREVIEW = '<p style="font-family: sans-serif; color: #666">This stack has no preview; the code is on the left.</p>';

export function previewBody(code: string, language: string, preview?: PreviewRuntime): string {
  const runtime = previewRuntimeOf(language, preview);
  if (runtime === 'react') return jsxToStaticHtml(code);
  if (runtime === 'vue') return vueToStaticHtml(code);
  if (runtime === 'none') return NO_PREVIEW;
  return withoutRefresh(code);
}

export function previewCsp(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; script-src 'nonce-${nonce}'; connect-src 'none'; form-action 'none'; base-uri 'none'`;
}

/**
 * The whole srcdoc for `code`. `tailwind` is the runtime's source (empty to leave it out).
 *
 * Our CSP and runtime come first, before any byte the model wrote, so nothing in its text (a
 * `<!--<head>-->` comment, a `title="<head>"` attribute, a `<base>`) can move them into a comment or an
 * attribute or after the model's own tags: the HTML parser puts them in the head it creates, and the
 * model's `<html>`/`<head>` tags that follow only merge into it.
 */
export function buildPreviewDocument(code: string, language: string, nonce: string, tailwind: string, preview?: PreviewRuntime): string {
  const body = previewBody(code, language, preview);
  const csp = `<meta http-equiv="Content-Security-Policy" content="${previewCsp(nonce)}">`;
  // `</script` inside the runtime's text would end the element early.
  const runtime = tailwind ? `<script nonce="${nonce}">${tailwind.replace(/<\/script/gi, '<\\/script')}</script>` : '';
  const head = `<!DOCTYPE html><html><head><meta charset="utf-8">${csp}${runtime}</head>`;
  // A whole document of the model's follows our head as it is; a fragment goes into a body.
  return /<html[\s>]|<head[\s>]|<!doctype/i.test(body) ? `${head}${body}` : `${head}<body>${body}</body></html>`;
}
