/**
 * Regular expressions written in ASCII, for the server's bundle (bundle.js).
 */
const acorn = require('acorn');

const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * `text` with every character beyond ASCII inside a regular expression literal written as
 * `\uXXXX`, one per UTF-16 unit: the same expression, with or without the u flag.
 * esbuild writes strings, templates and names in ASCII already (its default charset), but
 * not regular expressions; one such character made the whole 5.4 MB bundle a two-byte
 * string for V8, and an empty store was ready 60-90 ms later (5 starts each, alternating).
 * A module that does not tokenize is left as it is (tests/bundle.e2e.ts checks the
 * bundle).
 */
function asciiRegExps(text) {
  const ranges = [];
  try {
    for (const token of acorn.tokenizer(text, { ecmaVersion: 'latest', allowHashBang: true })) {
      if (token.type === acorn.tokTypes.regexp) ranges.push([token.start, token.end]);
    }
  } catch {
    return text;
  }
  let escaped = '';
  let from = 0;
  for (const [start, end] of ranges) {
    const literal = text.slice(start, end);
    if (!NOT_ASCII.test(literal)) continue;
    escaped += text.slice(from, start);
    for (let index = 0; index < literal.length; index++) {
      const unit = literal.charCodeAt(index);
      escaped += unit < 0x80 ? literal[index] : `\\u${unit.toString(16).padStart(4, '0')}`;
    }
    from = end;
  }
  return escaped + text.slice(from);
}

module.exports = { NOT_ASCII, asciiRegExps };
