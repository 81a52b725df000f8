import { readSync } from 'node:fs';

/** Fills `target` from the open file at `position`; false if the file ends first. */
export function readFully(fd: number, target: Uint8Array, position: number): boolean {
  for (let done = 0; done < target.length;) {
    const count = readSync(fd, target, done, target.length - done, position + done);
    if (count === 0) return false;
    done += count;
  }
  return true;
}
