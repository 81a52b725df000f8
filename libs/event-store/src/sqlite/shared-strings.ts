/** Enough for every stream of a large history; beyond it strings are simply not shared. */
const SHARED_STRINGS_LIMIT = 1_000_000;

/**
 * A read model keeps every event it reads: the same stream id, type and actor, read from
 * many rows, are kept as one string each rather than one copy per event.
 */
export class SharedStrings {
  private readonly strings = new Map<string, string>();

  constructor(private readonly limit = SHARED_STRINGS_LIMIT) {}

  readonly share = (text: string): string => {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    if (this.strings.size < this.limit) this.strings.set(text, text);
    return text;
  };
}
