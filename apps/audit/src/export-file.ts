import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AuditLeaf, LEAF_MEMBERS } from '@partnerships/audit/leaf';
import { InputError } from './cli-support';

/**
 * Reads an export (JSON Lines, one leaf object per line) line by line; a line that is
 * not a leaf is an {@link InputError} naming the file and the line.
 */
export async function* readExport(file: string): AsyncGenerator<AuditLeaf> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('ready', () => resolve());
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new InputError(
          error.code === 'ENOENT'
            ? `the export ${file} does not exist`
            : `cannot read the export ${file} (${error.code})`,
        ),
      ),
    );
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      yield parseLeafLine(line, `${file} line ${number}`);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

export function parseLeafLine(line: string, where: string): AuditLeaf {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InputError(`${where} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${where} is not a JSON object`);
  }
  const leaf = value as Record<string, unknown>;
  const extra = Object.keys(leaf).find(
    (member) => !(LEAF_MEMBERS as readonly string[]).includes(member),
  );
  if (extra !== undefined) throw new InputError(`${where} has an unexpected member ${extra}`);
  const missing = LEAF_MEMBERS.find((member) => !(member in leaf));
  if (missing !== undefined) throw new InputError(`${where} lacks ${missing}`);
  const problem = (member: string, what: string) =>
    new InputError(`${where}: ${member} must be ${what}`);
  for (const member of ['id', 'streamId', 'type'] as const) {
    if (typeof leaf[member] !== 'string' || leaf[member] === '') throw problem(member, 'a text');
  }
  for (const member of ['revision', 'schemaVersion'] as const) {
    if (!Number.isSafeInteger(leaf[member]) || (leaf[member] as number) < 0) {
      throw problem(member, 'a natural number');
    }
  }
  for (const member of ['effectiveAt', 'recordedAt'] as const) {
    const text = leaf[member];
    if (
      typeof text !== 'string' ||
      Number.isNaN(Date.parse(text)) ||
      new Date(text).toISOString() !== text
    ) {
      throw problem(member, 'a time as toISOString() writes it');
    }
  }
  for (const member of ['actor', 'commandId'] as const) {
    if (leaf[member] !== null && typeof leaf[member] !== 'string')
      throw problem(member, 'a text or null');
  }
  if (typeof leaf['data'] !== 'object' || leaf['data'] === null || Array.isArray(leaf['data'])) {
    throw problem('data', 'a JSON object');
  }
  return leaf as unknown as AuditLeaf;
}
