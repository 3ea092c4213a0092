/**
 * The one door of the extension's user-visible strings: `t('Downloading {0}', name)`. The English
 * message is the key of `l10n/bundle.l10n.json` (as `vscode.l10n.t` wants); `extension.ts` hands in
 * `vscode.l10n.t` at activation, and until then (and in unit tests) the English text is formatted
 * here, so modules that only take the `vscode` API as a type can still speak the user's language.
 */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** `{0}`, `{1}`… replaced by the arguments, as `vscode.l10n.t` does. */
export function formatMessage(message: string, ...args: Array<string | number | boolean>): string {
  return message.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : whole));
}

let translate: Translate = formatMessage;

/** Called once at activation with `vscode.l10n.t`. */
export function useTranslator(translator: Translate): void {
  translate = translator;
}

export function t(message: string, ...args: Array<string | number | boolean>): string {
  return translate(message, ...args);
}
