// Checks Mermaid user-journey text with the official Mermaid parser (the jison grammar shipped in
// the pinned `mermaid` package) and prints what Mermaid reads from it as JSON.
//
//   node check.mjs < journey.mmd
//
// Exit status 0: the text parses; stdout is
//   {"title": ..., "accTitle": ..., "accDescription": ..., "sections": [...],
//    "tasks": [{"section": ..., "task": ..., "score": ..., "people": [...]}, ...]}
// Exit status 1: Mermaid rejects the text (its message is on stderr), or a task's score is not a
// number (the grammar lets any text through as a score; the diagram cannot draw it).
//
// Why not `mermaid.parse()`: in Node (no browser `window`) it stops at DOMPurify.addHook, which
// the title and accessibility setters use to sanitise text for the browser.  So this script
// imports the journey diagram's module from the package, runs its parser with the diagram's own
// database for sections and tasks, and records the title and accessibility texts unsanitised.
// Only used by tests/exchange/test_mermaid.py.

import { readdirSync, readFileSync } from 'node:fs';

const chunks = new URL('./node_modules/mermaid/dist/chunks/mermaid.core/', import.meta.url);
const file = readdirSync(chunks).find((name) => /^journeyDiagram-[\w-]+\.mjs$/.test(name));
if (!file) {
  console.error('no journeyDiagram-*.mjs module in node_modules/mermaid/dist/chunks/mermaid.core');
  process.exit(2);
}
const { diagram } = await import(new URL(file, chunks));

const text = readFileSync(0, 'utf8');
const seen = { title: '', accTitle: '', accDescription: '' };
diagram.db.clear();
diagram.parser.yy = {
  ...diagram.db,
  setDiagramTitle: (value) => { seen.title = value; },
  setAccTitle: (value) => { seen.accTitle = value; },
  setAccDescription: (value) => { seen.accDescription = value; },
};

try {
  diagram.parser.parse(text);
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(1);
}

const tasks = diagram.db.getTasks().map((t) => ({
  section: t.section, task: t.task, score: t.score, people: t.people,
}));
const bad = tasks.find((t) => !Number.isFinite(t.score));
if (bad) {
  console.error(`task ${JSON.stringify(bad.task)} has no numeric score`);
  process.exit(1);
}
console.log(JSON.stringify({ ...seen, sections: diagram.db.getSections(), tasks }));
