/**
 * The OCR evaluation corpus: short, realistic code snippets in several languages, written for this
 * project. Go and Makefile snippets are indented with tabs, as their tools write them.
 */

export interface Snippet {
  id: string;
  /** VS Code language id the engine should detect. */
  language: string;
  code: string;
}

const s = (id: string, language: string, code: string): Snippet => ({ id, language, code: code.replace(/^\n/, '') });

export const CORPUS: Snippet[] = [
  s(
    'py-fib',
    'python',
    `
def fib_numbers(n_max: int) -> list[int]:
    """Return Fibonacci numbers below n_max."""
    seq = [0, 1]
    while seq[-1] + seq[-2] < n_max:
        seq.append(seq[-1] + seq[-2])
    return seq
`,
  ),
  s(
    'py-class',
    'python',
    `
class Counter:
    def __init__(self, start=10):
        self.value = start

    def increment(self, step=1):
        if step <= 0:
            raise ValueError("step must be positive")
        self.value += step
        return self.value
`,
  ),
  s(
    'py-dict',
    'python',
    `
import json
from pathlib import Path


def load_config(path: Path) -> dict:
    with path.open() as handle:
        data = json.load(handle)
    return {key.lower(): value for key, value in data.items()}
`,
  ),
  s(
    'py-async',
    'python',
    `
async def fetch_all(client, urls):
    results = []
    for url in urls:
        response = await client.get(url, timeout=30)
        results.append((url, response.status_code))
    return results
`,
  ),
  s(
    'py-try',
    'python',
    `
def parse_port(text):
    try:
        port = int(text)
    except ValueError:
        return None
    if not 0 < port < 65536:
        return None
    return port
`,
  ),
  s(
    'ts-interface',
    'typescript',
    `
interface User {
  id: number;
  name: string;
  email?: string;
}

export function greet(user: User): string {
  return \`Hello, \${user.name}!\`;
}
`,
  ),
  s(
    'ts-reduce',
    'typescript',
    `
const totals = orders.reduce((acc, order) => {
  acc[order.customerId] = (acc[order.customerId] ?? 0) + order.amount;
  return acc;
}, {} as Record<string, number>);
`,
  ),
  s(
    'ts-class',
    'typescript',
    `
export class LruCache<K, V> {
  private readonly items = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.items.get(key);
    if (value !== undefined) {
      this.items.delete(key);
      this.items.set(key, value);
    }
    return value;
  }
}
`,
  ),
  s(
    'ts-async',
    'typescript',
    `
async function retry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; i <= attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i === attempts) throw err;
    }
  }
  throw new Error('unreachable');
}
`,
  ),
  s(
    'js-fetch',
    'javascript',
    `
function debounce(fn, wait) {
  let timer = null;
  return function (...args) {
    clearTimeout(timer);
    timer = setTimeout(() => fn.apply(this, args), wait);
  };
}
`,
  ),
  s(
    'js-node',
    'javascript',
    `
const fs = require('fs');

const lines = fs.readFileSync('input.txt', 'utf8').split('\\n');
const count = lines.filter((line) => line.trim() !== '').length;
console.log(\`non-empty lines: \${count}\`);
`,
  ),
  s(
    'go-main',
    'go',
    `
package main

import "fmt"

func main() {
	total := 0
	for i := 1; i <= 10; i++ {
		total += i
	}
	fmt.Println("sum:", total)
}
`,
  ),
  s(
    'go-struct',
    'go',
    `
type Server struct {
	Addr    string
	Timeout int
}

func (s *Server) Start() error {
	if s.Addr == "" {
		return fmt.Errorf("empty address")
	}
	return nil
}
`,
  ),
  s(
    'go-errors',
    'go',
    `
func readLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Split(string(data), "\\n"), nil
}
`,
  ),
  s(
    'rust-main',
    'rust',
    `
fn main() {
    let numbers = vec![3, 1, 4, 1, 5, 9];
    let max = numbers.iter().max().unwrap();
    println!("max = {}", max);
}
`,
  ),
  s(
    'rust-struct',
    'rust',
    `
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn distance(&self, other: &Point) -> f64 {
        ((self.x - other.x).powi(2) + (self.y - other.y).powi(2)).sqrt()
    }
}
`,
  ),
  s(
    'rust-match',
    'rust',
    `
fn describe(value: Option<i32>) -> String {
    match value {
        Some(0) => String::from("zero"),
        Some(n) if n < 0 => format!("negative {}", n),
        Some(n) => format!("positive {}", n),
        None => String::from("nothing"),
    }
}
`,
  ),
  s(
    'java-hello',
    'java',
    `
public class Hello {
    public static void main(String[] args) {
        int count = args.length;
        System.out.println("args: " + count);
    }
}
`,
  ),
  s(
    'java-list',
    'java',
    `
public List<String> upper(List<String> words) {
    List<String> result = new ArrayList<>();
    for (String word : words) {
        result.add(word.toUpperCase());
    }
    return result;
}
`,
  ),
  s(
    'java-record',
    'java',
    `
public record Range(int start, int end) {
    public Range {
        if (end < start) {
            throw new IllegalArgumentException("end < start");
        }
    }

    public int length() {
        return end - start;
    }
}
`,
  ),
  s(
    'c-main',
    'c',
    `
#include <stdio.h>

int main(void) {
    int values[5] = {4, 8, 15, 16, 23};
    int sum = 0;
    for (int i = 0; i < 5; i++) {
        sum += values[i];
    }
    printf("sum = %d\\n", sum);
    return 0;
}
`,
  ),
  s(
    'c-list',
    'c',
    `
struct node {
    int value;
    struct node *next;
};

int list_length(const struct node *head) {
    int n = 0;
    while (head != NULL) {
        n++;
        head = head->next;
    }
    return n;
}
`,
  ),
  s(
    'cpp-vector',
    'cpp',
    `
#include <vector>
#include <iostream>

int main() {
    std::vector<int> v{1, 2, 3};
    for (auto x : v) {
        std::cout << x * 2 << std::endl;
    }
}
`,
  ),
  s(
    'sh-backup',
    'shellscript',
    `
#!/bin/bash
set -euo pipefail

SRC_DIR="$HOME/projects"
DEST="/tmp/backup-$(date +%Y%m%d).tar.gz"

if [ ! -d "$SRC_DIR" ]; then
  echo "missing $SRC_DIR" >&2
  exit 1
fi
tar -czf "$DEST" -C "$SRC_DIR" .
`,
  ),
  s(
    'sh-loop',
    'shellscript',
    `
#!/bin/sh
for file in *.log; do
  lines=$(wc -l < "$file")
  echo "$file: $lines"
done
`,
  ),
  s(
    'makefile',
    'makefile',
    `
CC = gcc
CFLAGS = -O2 -Wall

app: main.o util.o
	$(CC) $(CFLAGS) -o app main.o util.o

clean:
	rm -f app *.o
`,
  ),
  s(
    'sql-report',
    'sql',
    `
SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total
FROM orders
WHERE created_at >= '2024-01-01'
GROUP BY customer_id
HAVING SUM(amount) > 1000
ORDER BY total DESC;
`,
  ),
  s(
    'py-numbers',
    'python',
    `
LIMIT_1 = 100
ratio_0 = 0.25
items = [10, 20, 30, 101]
for idx, item in enumerate(items):
    if item > LIMIT_1:
        print(idx, item * ratio_0)
`,
  ),
  s(
    'py-underscores',
    'python',
    `
def _private_helper(max_value, min_value=0):
    __slots__ = ("max_value", "min_value")
    total_sum = max_value + min_value
    return total_sum // 2
`,
  ),
  s(
    'ts-generic',
    'typescript',
    `
type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function parseNumber(input: string): Result<number> {
  const n = Number(input);
  return Number.isNaN(n) ? { ok: false, error: 'not a number' } : { ok: true, value: n };
}
`,
  ),
  s(
    'js-promise',
    'javascript',
    `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(check, interval = 500) {
  while (!(await check())) {
    await sleep(interval);
  }
}
`,
  ),
  s(
    'go-goroutine',
    'go',
    `
func worker(id int, jobs <-chan int, results chan<- int) {
	for j := range jobs {
		results <- j * 2
	}
}
`,
  ),
  s(
    'rust-loop',
    'rust',
    `
fn sum_even(limit: u32) -> u32 {
    let mut total = 0;
    for i in 0..limit {
        if i % 2 == 0 {
            total += i;
        }
    }
    total
}
`,
  ),
  s(
    'c-string',
    'c',
    `
size_t count_char(const char *s, char c) {
    size_t n = 0;
    for (; *s != '\\0'; s++) {
        if (*s == c) n++;
    }
    return n;
}
`,
  ),
];
