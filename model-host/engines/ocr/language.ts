/**
 * Which programming language a transcribed snippet is, from its text: a handful of telling patterns
 * per language, scored. Returns a VS Code language id (`plaintext` when nothing fits). Also the
 * keyword lists the character repair uses.
 */

const SIGNALS: Record<string, RegExp[]> = {
  python: [
    /^\s*(async )?def \w+\(.*\)\s*(->.*)?:\s*$/m,
    /^\s*(el)?if .+:\s*$/m,
    /^\s*import \w+(\.\w+)*\s*$/m,
    /^\s*from [\w.]+ import /m,
    /\bself\b/,
    /^\s*class \w+(\(.*\))?:\s*$/m,
    /\bprint\(/,
    /\bNone\b|\bTrue\b|\bFalse\b/,
    /^\s*for \w+(, \w+)* in .+:\s*$/m,
    /^\s*(while .+|with .+|try|except.*|else|elif .+|finally|return)\s*:?\s*$/m,
    /"""|'''/,
    /^\s*def \w+\(/m,
  ],
  typescript: [
    /\binterface \w+/,
    /:\s*(string|number|boolean|void)\b/,
    /\bexport (const|function|class|interface|type)\b/,
    /\bas [A-Z]\w*/,
    /\w<\w+(, \w+)*>/,
    /\b(private|public) readonly\b/,
    /^type \w+(<.*>)? = /m,
    /\): \w+(<.*>)? \{/,
  ],
  javascript: [/\bfunction \w*\(/, /\bconst \w+ = /, /\bconsole\.log\(/, /\brequire\(['"]/, /=>/, /===/],
  go: [
    /^package \w+/m,
    /\bfunc (\(\w+ \*?\w+\) )?\w+\(/,
    /:=/,
    /\bfmt\.\w+\(/,
    /^import \(/m,
    /\bgo func\b|\bchan\b|\bdefer\b/,
    /^type \w+ (struct|interface) \{/m,
    /\bnil\b/,
    /\berr != nil\b/,
    /\[\]\w+|\bmap\[/,
  ],
  rust: [
    /\bfn \w+(<.*>)?\(/,
    /\blet mut\b/,
    /\bimpl\b/,
    /\bpub (fn|struct|enum)\b/,
    /println!\(/,
    /->\s*(Self|Result|Option|i32|u32|usize|String)\b/,
    /&(mut )?self\b/,
    /::/,
  ],
  java: [
    /\bpublic (static )?(class|void|int|String)\b/,
    /\bpublic \w+(<[\w<>, ]+>)? \w+\(/,
    /\bfor \(\w+(<.*>)? \w+ : /,
    /\bpublic record\b/,
    /\bSystem\.out\.print/,
    /\bprivate (final )?\w+/,
    /\bnew \w+(<.*>)?\(/,
    /@Override/,
  ],
  c: [
    /^#include <\w+(\.h)?>/m,
    /\bsize_t\b|\bconst char \*/,
    /'\\0'/,
    /\bint main\(/,
    /\bprintf\(/,
    /\bmalloc\(|\bsizeof\(/,
    /\b(unsigned|char|struct) \w+/,
    /->\w+/,
  ],
  cpp: [/\bstd::/, /#include <(iostream|vector|string|map)>/, /\bcout\s*<</, /\btemplate\s*</, /\bnamespace \w+/],
  shellscript: [/^#!\/bin\/(ba)?sh/m, /^\s*(echo|export|cd|if \[|fi|done|then)\b/m, /\$\{?\w+\}?/, /\|\s*(grep|sed|awk|xargs)\b/, /^\s*\w+=\S*$/m],
  makefile: [/^\w[\w.-]*:( .*)?$/m, /^\t(\$\(\w+\)|@?\w+)/m, /\$\(\w+\)/],
  sql: [/\bSELECT\b[\s\S]*\bFROM\b/i, /\bGROUP BY\b|\bORDER BY\b/i, /\bCREATE TABLE\b/i, /\bINSERT INTO\b/i, /\bWHERE\b/i],
};

/** Best-scoring language id for the text. Ties go to the earlier, more specific entry. */
export function detectLanguage(code: string): string {
  let best = 'plaintext';
  let bestScore = 1; // at least two signals before we claim a language
  for (const [language, patterns] of Object.entries(SIGNALS)) {
    let score = 0;
    for (const p of patterns) if (p.test(code)) score++;
    if (language === 'javascript') score -= SIGNALS.typescript.filter((p) => p.test(code)).length;
    if (language === 'c' && SIGNALS.cpp.some((p) => p.test(code))) score -= 2;
    if (score > bestScore) {
      best = language;
      bestScore = score;
    }
  }
  return best;
}

/** Languages whose indentation is conventionally tabs. */
export function usesTabs(language: string): boolean {
  return language === 'go' || language === 'makefile';
}

const COMMON = 'if else for while return break continue true false null new class import default switch case try catch finally throw';
const KEYWORDS: Record<string, string> = {
  python:
    'def class return if elif else for while in import from as with try except finally raise lambda pass yield not and or None True False self print len range async await global nonlocal assert del is',
  typescript:
    'function const let var new this typeof instanceof interface type export import async await extends implements public private protected static readonly void string number boolean undefined null console log return of in',
  javascript: 'function const let var new this typeof instanceof export import async await extends static undefined null console log return of in',
  go: 'func package import var const type struct interface map chan go defer select range return nil string int error fmt Println Printf make append len',
  rust: 'fn let mut impl pub use mod struct enum trait match self Self return where for in loop as ref move dyn Some None Ok Err Option Result Box Vec String usize i32 u32 i64 u8 println',
  java: 'public private protected static final class interface extends implements void int long double boolean String new this return System out println',
  c: 'int char long double float unsigned signed struct typedef return sizeof static const void include define printf malloc free NULL main',
  cpp: 'int char long double float unsigned struct class return sizeof static const void include std cout endl vector string auto template namespace',
  shellscript: 'echo export then fi do done case esac function local return if elif else for while in',
};

/** Keywords and very common identifiers of the language (and of all languages, as a fallback). */
export function languageKeywords(language: string): Set<string> {
  return new Set(`${COMMON} ${KEYWORDS[language] ?? Object.values(KEYWORDS).join(' ')}`.split(/\s+/));
}
