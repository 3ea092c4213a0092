/**
 * Extra held-out sources for the real-tool corpus, written for this project before the engine was
 * run on any real-tool image and never used for tuning. They lean on what issue 12 saw fail:
 * underscores in names (`my_crate`), `||`, lone braces, long lines on highlighted rows.
 */
import type { Snippet } from '../corpus';

const s = (id: string, language: string, code: string): Snippet => ({ id, language, code: code.replace(/^\n/, '') });

export const REAL_HOLDOUT_EXTRA: Snippet[] = [
  s(
    'rx-rust-parser',
    'rust',
    `
use my_crate::config::Settings;

impl Parser {
    pub fn next_token(&mut self) -> Option<Token> {
        let captured = self.colon_capturer.capture(self.remaining);
        if captured.is_empty() || self.at_end {
            return None;
        }
        self.offset += captured.len();
        Some(Token::new(captured))
    }
}
`,
  ),
  s(
    'rx-py-cache',
    'python',
    `
import functools


def load_user_profile(user_id, *, refresh=False):
    if refresh or user_id not in _profile_cache:
        _profile_cache[user_id] = fetch_profile(user_id)
    return _profile_cache[user_id]


@functools.lru_cache(maxsize=128)
def parse_header(raw_line):
    key, _, value = raw_line.partition(":")
    return key.strip().lower(), value.strip()
`,
  ),
  s(
    'rx-ts-guard',
    'typescript',
    `
export function isVisible(node: TreeNode | undefined): boolean {
  if (!node || node.hidden) {
    return false;
  }
  const parent_ok = node.parent === null || isVisible(node.parent);
  return parent_ok && node.width > 0;
}
`,
  ),
  s(
    'rx-js-retry',
    'javascript',
    `
async function withRetry(task, max_attempts = 3) {
  let last_error;
  for (let attempt = 1; attempt <= max_attempts; attempt++) {
    try {
      return await task();
    } catch (err) {
      last_error = err;
    }
  }
  throw last_error;
}
`,
  ),
  s(
    'rx-c-count',
    'c',
    `
static int count_words(const char *text) {
    int count = 0;
    int in_word = 0;
    for (; *text != '\\0'; text++) {
        if (*text == ' ' || *text == '\\n') {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            count++;
        }
    }
    return count;
}
`,
  ),
  s(
    'rx-sh-deploy',
    'shellscript',
    `
#!/bin/sh
set -eu
TARGET_DIR="\${1:-/srv/app}"
if [ ! -d "$TARGET_DIR" ] || [ -z "$(ls -A "$TARGET_DIR")" ]; then
  echo "nothing to deploy in $TARGET_DIR" >&2
  exit 1
fi
rsync -a --delete "$TARGET_DIR/" deploy@host:/var/www/
`,
  ),
];
