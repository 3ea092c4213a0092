// Character repairs of recognised code: punctuation, digit/letter confusions, brackets, quotes, case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  repairCode,
  repairIdentifiers,
  repairLoneClosers,
  repairLoneDigits,
  repairNumbers,
  repairQuotes,
  toAsciiPunctuation,
} from '../../model-host/engines/ocr/repair';
import {
  repairCase,
  repairCommandFlags,
  repairDunders,
  repairDoublePipes,
  repairHyphenatedNames,
  repairPipes,
  repairShellDollars,
  repairTemplateLiterals,
  repairTripleQuotes,
} from '../../model-host/engines/ocr/repair-syntax';
import { languageKeywords } from '../../model-host/engines/ocr/language';

test('full-width and typographic punctuation becomes ASCII', () => {
  assert.equal(toAsciiPunctuation('print（a，b）；x：“s”'), 'print(a,b);x:"s"');
  assert.equal(toAsciiPunctuation('ＡＢＣ１２３＝'), 'ABC123=');
  assert.equal(toAsciiPunctuation('plain ascii stays'), 'plain ascii stays');
});

test('numbers with look-alike letters become numbers; words stay words', () => {
  assert.equal(repairNumbers('start=l0'), 'start=10');
  assert.equal(repairNumbers('x = 1O0 + 2'), 'x = 100 + 2');
  assert.equal(repairNumbers('if ok or lol:'), 'if ok or lol:');
  assert.equal(repairNumbers('0x1f'), '0x1f');
  assert.equal(repairNumbers("'\\o'"), "'\\0'");
});

test('a lone look-alike letter in a value position is a digit unless it is a name in this image', () => {
  assert.deepEqual(repairLoneDigits(['step=l', 'if step <= O:', 'x = a ?? o)']), ['step=1', 'if step <= 0:', 'x = a ?? 0)']);
  assert.deepEqual(repairLoneDigits(['l = []', 'n = l']), ['l = []', 'n = l']);
});

test('identifiers are repaired from their other occurrences and from keywords', () => {
  const kw = languageKeywords('python');
  assert.deepEqual(repairIdentifiers(['count_1 = 0', 'count_1 += 1', 'print(count_l)'], kw), ['count_1 = 0', 'count_1 += 1', 'print(count_1)']);
  assert.deepEqual(repairIdentifiers(['def f(n_max):', '    return n max'], kw), ['def f(n_max):', '    return n_max']);
  assert.deepEqual(repairIdentifiers(['retum x'], kw), ['retum x'], 'no guesses beyond look-alike characters');
  assert.deepEqual(repairIdentifiers(['x = N0ne'], kw), ['x = None']);
});

test('a lone closing bracket misread on its own line follows bracket balance', () => {
  assert.deepEqual(repairLoneClosers(['if (x) {', '  y();', '了', 'z = [', '  1,', '>', ']']), ['if (x) {', '  y();', '}', 'z = [', '  1,', ']', ']']);
  assert.deepEqual(repairLoneClosers(['a = (', '  1', ')']), ['a = (', '  1', ')'], 'correct closers are kept');
  assert.deepEqual(repairLoneClosers(['x > y', '>']), ['x > y', '>'], 'without an open bracket nothing changes');
});

test("mismatched quote pairs take the snippet's usual quote", () => {
  assert.deepEqual(repairQuotes(["a('x', 'y\")", "b('z')"]), ["a('x', 'y')", "b('z')"]);
  assert.deepEqual(repairQuotes(['say("it\'s")']), ['say("it\'s")'], 'an odd number of quotes is left alone');
});

test('case of look-alike letters follows capital words and other occurrences', () => {
  assert.deepEqual(repairCase(['SELECT couNT(*) FRoM t GRouP BY x']), ['SELECT COUNT(*) FROM t GROUP BY x']);
  assert.deepEqual(repairCase(['echo $HoME']), ['echo $HOME']);
  assert.deepEqual(repairCase(['type Server struct', 'var a Server', 'func (s *server)']), ['type Server struct', 'var a Server', 'func (s *Server)']);
  assert.deepEqual(repairCase(['Hello world']), ['Hello world']);
});

test('pipes, docstrings and template literals', () => {
  assert.deepEqual(repairPipes(['get(): V I undefined {', 'let I = 1;', 'I = I + 1', 'f(I)']), ['get(): V I undefined {', 'let I = 1;', 'I = I + 1', 'f(I)']);
  assert.deepEqual(repairPipes(['type R = { a } I { b };']), ['type R = { a } | { b };']);
  assert.deepEqual(repairTripleQuotes(['    """Return x.""', '    """"Doc."""']), ['    """Return x."""', '    """Doc."""']);
  assert.deepEqual(repairTemplateLiterals(['  return ^Hello, ${user.name}! ;', 'log(n: ${count}`);', 'const s = `ok ${a}`;']), [
    '  return `Hello, ${user.name}!`;',
    'log(`n: ${count}`);',
    'const s = `ok ${a}`;',
  ]);
});

test('the whole chain on a recognised Python line', () => {
  assert.deepEqual(
    repairCode(['def f(n_max):', '    return n max +l0（）', 'x=O'], languageKeywords('python'), 'python'),
    ['def f(n_max):', '    return n_max +l0()', 'x=0'],
    'a call like l0() is left alone',
  );
});

test('more context repairs: `};`, a leading 0 for O, stray docstring quote, declared names, shell dollars', () => {
  assert.deepEqual(repairLoneClosers(['const a = {', '  b: 1,', ';']), ['const a = {', '  b: 1,', '};']);
  assert.deepEqual(repairIdentifiers(['fn f(v: 0ption<i32>)'], languageKeywords('rust')), ['fn f(v: Option<i32>)']);
  assert.deepEqual(repairTripleQuotes(['    """\'Return x."""']), ['    """Return x."""']);
  assert.deepEqual(repairCase(['type Server struct {', 'func (s *server) Start()']), ['type Server struct {', 'func (s *Server) Start()']);
  assert.deepEqual(repairCase(['SELECT orderS FROM t']), ['SELECT orders FROM t']);
  assert.deepEqual(repairShellDollars(['for file in *; do', '  echo "$file"', '  wc -l < "sfile"']), [
    'for file in *; do',
    '  echo "$file"',
    '  wc -l < "$file"',
  ]);
});

test('command-line flags: -O2, -Wall, object files, wc -l', () => {
  assert.deepEqual(repairCommandFlags(['CFLAGS = -02 -Wa11', '\t$(CC) -o app main.o util.0', '  n=$(wc -1 < "$f")', 'head -1 x', 'x = 0.0']), [
    'CFLAGS = -O2 -Wall',
    '\t$(CC) -o app main.o util.o',
    '  n=$(wc -l < "$f")',
    'head -1 x',
    'x = 0.0',
  ]);
});

test('Python dunder names get their underscores back; ordinary names keep theirs', () => {
  assert.deepEqual(repairDunders(['    def _init_(self):', '    _slots__ = ()', '    slots__ = ()', 'x = self._private', 'n_max = max_', 'print(__name__)']), [
    '    def __init__(self):',
    '    __slots__ = ()',
    '    __slots__ = ()',
    'x = self._private',
    'n_max = max_',
    'print(__name__)',
  ]);
});

test('any lone character inside a block that is not a name of the snippet is a misread closer', () => {
  assert.deepEqual(repairLoneClosers(['fn f() {', '    let x = 1;', '    if x > 0 {', '        g();', '    M', '    x', '}']), [
    'fn f() {',
    '    let x = 1;',
    '    if x > 0 {',
    '        g();',
    '    }',
    '    x',
    '}',
  ]);
});

test('`||` from two look-alikes, underscores read as hyphens in names', () => {
  assert.deepEqual(repairDoublePipes(['if (a Il b) {', 'x = y ll z;', 'if [ -z "$x" ] 11 exit']), ['if (a || b) {', 'x = y || z;', 'if [ -z "$x" ] || exit']);
  // A name used elsewhere in the snippet stays.
  assert.deepEqual(repairDoublePipes(['let ll = 1;', 'f(ll) ll g']), ['let ll = 1;', 'f(ll) ll g']);
  assert.deepEqual(repairDoublePipes(['seq 1 11 20']), ['seq 1 11 20']);
  assert.deepEqual(repairHyphenatedNames(['use my-crate::config;', 'let n = a - b;', 'x = y-1', 'print("non-empty lines")  # a-b']), [
    'use my_crate::config;',
    'let n = a - b;',
    'x = y-1',
    'print("non-empty lines")  # a-b',
  ]);
});
