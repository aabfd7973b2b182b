/**
 * Where code starts and ends in a note (fenced blocks, code spans), so the scanner never reads an example written in
 * code as a file to upload.
 */

// A fence opens a code block: at a line start (after indentation or `>` quote markers), three or more ` or ~.
const FENCE = /[ \t>]*(`{3,}|~{3,})([^\n]*)/y;

/**
 * Where the code block whose fence opens the line at `lineStart` ends (past its closing fence line, or the end of
 * the text when it is never closed, as in CommonMark); undefined when the line opens none.
 */
export function fencedBlockEnd(text: string, lineStart: number, limit: number): number | undefined {
  FENCE.lastIndex = lineStart;
  const open = FENCE.exec(text);
  const fence = open?.[1];
  // A backtick fence's info string cannot hold a backtick: ```a`b``` is a code span, not a block.
  if (!open || fence === undefined || (fence[0] === '`' && open[2]?.includes('`'))) return undefined;
  const closing = new RegExp(`^[ \\t>]*\\${fence[0]}{${fence.length},}[ \\t]*$`);
  let lineEnd = text.indexOf('\n', lineStart);
  while (lineEnd >= 0 && lineEnd < limit) {
    const next = lineEnd + 1;
    lineEnd = text.indexOf('\n', next);
    const line = text.slice(next, lineEnd < 0 ? limit : Math.min(lineEnd, limit)).replace(/\r$/, '');
    if (closing.test(line)) return lineEnd < 0 ? limit : Math.min(lineEnd, limit);
  }
  return limit;
}

/** Where the paragraph holding `at` ends: at a blank line or a line opening a fence, which interrupts it. */
function paragraphEnd(text: string, at: number, limit: number): number {
  for (let lineEnd = text.indexOf('\n', at); lineEnd >= 0 && lineEnd < limit; ) {
    const next = lineEnd + 1;
    lineEnd = text.indexOf('\n', next);
    const line = text.slice(next, lineEnd < 0 ? limit : Math.min(lineEnd, limit));
    if (line.trim() === '' || fencedBlockEnd(text, next, limit) !== undefined) return next;
  }
  return limit;
}

/**
 * Where the code span opening with the backtick run at `open` ends; undefined when the run is never closed within
 * its paragraph (then it is literal backticks).
 */
export function codeSpanEnd(text: string, open: number, limit: number): number | undefined {
  let run = 0;
  while (text[open + run] === '`') run++;
  const end = paragraphEnd(text, open, limit);
  for (let at = text.indexOf('`', open + run); at >= 0 && at < end; ) {
    let close = 0;
    while (text[at + close] === '`') close++;
    if (close === run) return at + close;
    at = text.indexOf('`', at + close);
  }
  return undefined;
}
