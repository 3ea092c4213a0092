/**
 * Held-out snippets: written after the repairs were tuned on `corpus.ts` and never used to tune
 * them, so their score says how well the engine generalises (`npm run eval:ocr -- --set holdout`).
 */
import type { Snippet } from './corpus';

const s = (id: string, language: string, code: string): Snippet => ({ id, language, code: code.replace(/^\n/, '') });

export const HOLDOUT: Snippet[] = [
  s(
    'ho-py-dataclass',
    'python',
    `
from dataclasses import dataclass, field


@dataclass
class Invoice:
    number: str
    lines: list = field(default_factory=list)

    def total(self) -> float:
        return sum(qty * price for qty, price in self.lines)
`,
  ),
  s(
    'ho-ts-hook',
    'typescript',
    `
export function useToggle(initial = false): [boolean, () => void] {
  const [on, setOn] = useState<boolean>(initial);
  const toggle = useCallback(() => setOn((v) => !v), []);
  return [on, toggle];
}
`,
  ),
  s(
    'ho-go-http',
    'go',
    `
func handler(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		http.Error(w, "missing name", http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "hello %s\\n", name)
}
`,
  ),
  s(
    'ho-rust-enum',
    'rust',
    `
enum Shape {
    Circle(f64),
    Rect { w: f64, h: f64 },
}

fn area(s: &Shape) -> f64 {
    match s {
        Shape::Circle(r) => 3.14159 * r * r,
        Shape::Rect { w, h } => w * h,
    }
}
`,
  ),
  s(
    'ho-java-stream',
    'java',
    `
public static Map<String, Long> countWords(List<String> lines) {
    return lines.stream()
        .flatMap(line -> Arrays.stream(line.split("\\\\s+")))
        .filter(word -> !word.isEmpty())
        .collect(Collectors.groupingBy(w -> w, Collectors.counting()));
}
`,
  ),
  s(
    'ho-c-swap',
    'c',
    `
void swap(int *a, int *b) {
    int tmp = *a;
    *a = *b;
    *b = tmp;
}

void reverse(int *arr, size_t len) {
    for (size_t i = 0; i < len / 2; i++) {
        swap(&arr[i], &arr[len - 1 - i]);
    }
}
`,
  ),
  s(
    'ho-sh-args',
    'shellscript',
    `
#!/bin/bash
while getopts "vo:" opt; do
  case $opt in
    v) VERBOSE=1 ;;
    o) OUTPUT="$OPTARG" ;;
    *) echo "usage: $0 [-v] [-o file]" >&2; exit 2 ;;
  esac
done
`,
  ),
  s(
    'ho-js-class',
    'javascript',
    `
class EventBus {
  constructor() {
    this.handlers = new Map();
  }

  on(name, fn) {
    const list = this.handlers.get(name) || [];
    list.push(fn);
    this.handlers.set(name, list);
  }
}
`,
  ),
];
