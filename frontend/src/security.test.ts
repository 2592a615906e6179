// A static guard: backend strings (subjects, names) must only ever be rendered
// as text. No {@html}, no innerHTML/outerHTML/insertAdjacentHTML, no eval.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(svelte|ts)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

describe('sources', () => {
  it('never inject HTML', () => {
    const files = sources(path.resolve(__dirname));
    expect(files.length).toBeGreaterThan(5);
    const bad = /\{@html|innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/;
    const offenders = files.filter((f) => bad.test(fs.readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
