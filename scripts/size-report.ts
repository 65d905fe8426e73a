// House-style sizes of src/: files over 250 lines and functions over 40 lines (npx tsx scripts/size-report.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..');
const FILE_LIMIT = 250;
const FUNCTION_LIMIT = 40;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function functionName(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(sf);
  return '(anonymous)';
}

function longFunctions(path: string): Array<{ name: string; lines: number }> {
  const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Array<{ name: string; lines: number }> = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node)
    ) {
      const lines =
        sf.getLineAndCharacterOfPosition(node.getEnd()).line -
        sf.getLineAndCharacterOfPosition(node.getStart(sf)).line +
        1;
      if (lines > FUNCTION_LIMIT) out.push({ name: functionName(node, sf), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const all = files(join(ROOT, 'src'));
const bigFiles = all.map((f) => ({ f, n: readFileSync(f, 'utf8').split('\n').length })).filter((x) => x.n > FILE_LIMIT);
const bigFns = all.flatMap((f) => longFunctions(f).map((x) => ({ f, ...x })));
console.log(
  `src: ${all.length} files; over ${FILE_LIMIT} lines: ${bigFiles.length}; functions over ${FUNCTION_LIMIT} lines: ${bigFns.length}`,
);
for (const x of bigFiles) console.log(`  file ${relative(ROOT, x.f)}: ${x.n} lines`);
for (const x of bigFns) console.log(`  function ${relative(ROOT, x.f)} ${x.name}: ${x.lines} lines`);
